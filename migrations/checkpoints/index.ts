import { Init1732700000000 } from './1732700000000-Init';
import { CheckpointControl1764806400000 } from './1764806400000-CheckpointControl';
import { Audit1795737600000 } from './1795737600000-Audit';
import { OperatorSubject1795737600100 } from './1795737600100-OperatorSubject';
import { AuditSubjects1795824000000 } from './1795824000000-AuditSubjects';
import { Outbox1795910400000 } from './1795910400000-Outbox';
import { PartitionPassages1796169600000 } from './1796169600000-PartitionPassages';
import { PartialMovementIndex1796342400000 } from './1796342400000-PartialMovementIndex';
import { DevicePassageLookup1796428800000 } from './1796428800000-DevicePassageLookup';

/** Applied in this order; never edit a released migration, add a new one. */
export const checkpointsMigrations = [
  Init1732700000000,
  CheckpointControl1764806400000,
  Audit1795737600000,
  OperatorSubject1795737600100,
  AuditSubjects1795824000000,
  Outbox1795910400000,
  PartitionPassages1796169600000,
  PartialMovementIndex1796342400000,
  DevicePassageLookup1796428800000,
];
