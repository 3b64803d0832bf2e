import { Init1732700000000 } from './1732700000000-Init';
import { UnitListAndIdempotency1764288000000 } from './1764288000000-UnitListAndIdempotency';
import { Workflow1764288000100 } from './1764288000100-Workflow';
import { Audit1795737600000 } from './1795737600000-Audit';
import { AuditSubjects1795824000000 } from './1795824000000-AuditSubjects';
import { Outbox1795910400000 } from './1795910400000-Outbox';

/** Applied in this order; never edit a released migration, add a new one. */
export const feedbackMigrations = [
  Init1732700000000,
  UnitListAndIdempotency1764288000000,
  Workflow1764288000100,
  Audit1795737600000,
  AuditSubjects1795824000000,
  Outbox1795910400000,
];
