import { Init1732700000000 } from './1732700000000-Init';
import { ReferenceAndIdempotency1764374400000 } from './1764374400000-ReferenceAndIdempotency';
import { DeclarationForms1764374400100 } from './1764374400100-DeclarationForms';
import { Audit1795737600000 } from './1795737600000-Audit';
import { AuditSubjects1795824000000 } from './1795824000000-AuditSubjects';
import { Outbox1795910400000 } from './1795910400000-Outbox';
import { PartitionDeclarations1796256000000 } from './1796256000000-PartitionDeclarations';

/** Applied in this order; never edit a released migration, add a new one. */
export const declarationsMigrations = [
  Init1732700000000,
  ReferenceAndIdempotency1764374400000,
  DeclarationForms1764374400100,
  Audit1795737600000,
  AuditSubjects1795824000000,
  Outbox1795910400000,
  PartitionDeclarations1796256000000,
];
