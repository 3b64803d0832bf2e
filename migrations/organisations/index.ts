import type { MigrationInterface } from 'typeorm';
import { AdministrativeUnits1764201600000 } from './1764201600000-AdministrativeUnits';
import { Organisations1764201600100 } from './1764201600100-Organisations';
import { Audit1795737600000 } from './1795737600000-Audit';
import { AuditSubjects1795824000000 } from './1795824000000-AuditSubjects';
import { Outbox1795910400000 } from './1795910400000-Outbox';
import { ChangeConsumers1795996800000 } from './1795996800000-ChangeConsumers';
import { ConsumerRoles1796083200000 } from './1796083200000-ConsumerRoles';

/** The organisations subgraph's migrations, oldest first. */
export const ORGANISATIONS_MIGRATIONS: (new () => MigrationInterface)[] = [
  AdministrativeUnits1764201600000,
  Organisations1764201600100,
  Audit1795737600000,
  AuditSubjects1795824000000,
  Outbox1795910400000,
  ChangeConsumers1795996800000,
  ConsumerRoles1796083200000,
];
