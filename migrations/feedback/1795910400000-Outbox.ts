import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createOutbox, dropOutbox, type OutboxTable } from '../../subgraphs/kit/outbox';

/**
 * The transactional outbox (DESIGN §6): one event per created, changed or deleted row of this
 * subgraph's own tables, written by triggers in the same transaction (kit/outbox.ts). The table list
 * is part of this migration: a later change of it is a new migration.
 */
const TABLES: OutboxTable[] = [
  {
    // its handling history (feedback_change) is written with an update of this row
    table: 'feedback',
    entityType: 'Feedback',
    id: 'r.id::text',
    unitCodes: 'ARRAY[r.province_code, r.district_code, r.ward_code, r.assignee_unit_code]',
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
