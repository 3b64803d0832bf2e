import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createOutbox, dropOutbox, type OutboxTable } from '../../subgraphs/kit/outbox';

/**
 * The transactional outbox (DESIGN §6): one event per created, changed or deleted row of this
 * subgraph's own tables, written by triggers in the same transaction (kit/outbox.ts). The table list
 * is part of this migration: a later change of it is a new migration.
 */
const TABLES: OutboxTable[] = [
  {
    table: 'checkpoint',
    entityType: 'Checkpoint',
    id: 'r.id::text',
    unitCodes: 'ARRAY[r.province_code, r.district_code, r.ward_code]',
  },
  {
    // assigning or removing an operator changes the checkpoint
    table: 'checkpoint_operator',
    entityType: 'Checkpoint',
    id: 'r.checkpoint_id::text',
    join: 'JOIN checkpoint c ON c.id = r.checkpoint_id',
    unitCodes: 'ARRAY[c.province_code, c.district_code, c.ward_code]',
    kinds: { INSERT: "'UPDATED'", UPDATE: "'UPDATED'", DELETE: "'UPDATED'" },
  },
  {
    table: 'passage',
    entityType: 'Passage',
    id: 'r.id::text',
    join: 'JOIN checkpoint c ON c.id = r.checkpoint_id',
    unitCodes: 'ARRAY[c.province_code, c.district_code, c.ward_code]',
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
