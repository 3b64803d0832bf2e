import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createOutbox, dropOutbox, type OutboxTable } from '../../subgraphs/kit/outbox';

/**
 * The transactional outbox (DESIGN §6): one event per created, changed or deleted row of this
 * subgraph's own tables, written by triggers in the same transaction (kit/outbox.ts). The table list
 * is part of this migration: a later change of it is a new migration.
 */
const TABLES: OutboxTable[] = [
  { table: 'organisation', entityType: 'Organisation', id: 'r.code', unitCodes: 'ARRAY[]::text[]' },
  { table: 'app_user', entityType: 'User', id: 'r.id::text', unitCodes: 'ARRAY[]::text[]' },
  { table: 'role_grant', entityType: 'RoleGrant', id: 'r.id::text', unitCodes: 'ARRAY[r.jurisdiction_code]' },
  { table: 'centre_membership', entityType: 'CentreMembership', id: 'r.id::text', unitCodes: 'ARRAY[]::text[]' },
  { table: 'unit_list_version', entityType: 'UnitListVersion', id: 'r.name', unitCodes: 'ARRAY[]::text[]' },
  {
    table: 'administrative_unit',
    entityType: 'AdministrativeUnit',
    id: 'r.code',
    unitCodes: 'ARRAY[r.code, r.parent_code]',
  },
];

export class Outbox1795910400000 implements MigrationInterface {
  name = 'Outbox1795910400000';

  public async up(q: QueryRunner): Promise<void> {
    await createOutbox(q, TABLES);
  }

  public async down(q: QueryRunner): Promise<void> {
    await dropOutbox(q, TABLES);
  }
}
