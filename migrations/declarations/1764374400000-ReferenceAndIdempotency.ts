import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createAdminUnitTables, dropAdminUnitTables } from '../../subgraphs/kit/admin-units/schema';
import { createIdempotencyTable, dropIdempotencyTable } from '../../subgraphs/kit/idempotency';

/** The subgraph's own copy of the official unit list, and idempotency keys (shared DDL from the kit). */
export class ReferenceAndIdempotency1764374400000 implements MigrationInterface {
  name = 'ReferenceAndIdempotency1764374400000';

  async up(q: QueryRunner): Promise<void> {
    await createAdminUnitTables(q);
    await createIdempotencyTable(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropIdempotencyTable(q);
    await dropAdminUnitTables(q);
  }
}
