import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createOutbox, dropOutbox, type OutboxTable } from '../../subgraphs/kit/outbox';

/**
 * The transactional outbox (DESIGN §6): one event per created, changed or deleted row of this
 * subgraph's own tables, written by triggers in the same transaction (kit/outbox.ts). The table list
 * is part of this migration: a later change of it is a new migration.
 */
const TABLES: OutboxTable[] = [
  { table: 'citizen', entityType: 'Citizen', id: 'r.ref', unitCodes: 'ARRAY[]::text[]' },
  {
    // a new or corrected identity snapshot changes the citizen
    table: 'identity_snapshot',
    entityType: 'Citizen',
    id: 'r.citizen_ref',
    unitCodes: 'ARRAY[r.address_province_code, r.address_district_code, r.address_ward_code]',
    kinds: { INSERT: "'UPDATED'", UPDATE: "'UPDATED'", DELETE: "'UPDATED'" },
  },
  {
    // versioned: a new version (version > 1) is an update of the declaration
    table: 'health_declaration',
    entityType: 'HealthDeclaration',
    id: 'r.id::text',
    unitCodes: 'ARRAY[r.province_code, r.district_code, r.ward_code]',
    kinds: { INSERT: "CASE WHEN r.version = 1 THEN 'CREATED' ELSE 'UPDATED' END" },
  },
  {
    table: 'monitoring_period',
    entityType: 'MonitoringPeriod',
    id: 'r.id::text',
    unitCodes: 'ARRAY[r.province_code, r.district_code, r.ward_code]',
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
