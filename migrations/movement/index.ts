import { Init1732700000000 } from './1732700000000-Init';
import { DeclarationWorkflow1764374400000 } from './1764374400000-DeclarationWorkflow';
import { Audit1795737600000 } from './1795737600000-Audit';
import { AuditSubjects1795824000000 } from './1795824000000-AuditSubjects';
import { Outbox1795910400000 } from './1795910400000-Outbox';

/** Applied in this order; never edit a released migration, add a new one. */
export const movementMigrations = [
  Init1732700000000,
  DeclarationWorkflow1764374400000,
  Audit1795737600000,
  AuditSubjects1795824000000,
  Outbox1795910400000,
];
