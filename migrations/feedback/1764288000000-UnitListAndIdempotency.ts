import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createAdminUnitTables, dropAdminUnitTables } from '../../subgraphs/kit/admin-units/schema';
import { createIdempotencyTable, dropIdempotencyTable } from '../../subgraphs/kit/idempotency';

/** This subgraph's own copy of the unit lists, and idempotency keys for submissions (shared DDL from the kit). */
export class UnitListAndIdempotency1764288000000 implements MigrationInterface {
  name = 'UnitListAndIdempotency1764288000000';

  async up(q: QueryRunner): Promise<void> {
    await createAdminUnitTables(q);
    await createIdempotencyTable(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropIdempotencyTable(q);
    await dropAdminUnitTables(q);
  }
}
