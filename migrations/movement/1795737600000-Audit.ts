import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createAuditTable, dropAuditTable } from '../../subgraphs/kit/audit';

/** The append-only read audit (DESIGN §5.6); the serving role's grants are made at start-up. */
export class Audit1795737600000 implements MigrationInterface {
  name = 'Audit1795737600000';

  public async up(q: QueryRunner): Promise<void> {
    await createAuditTable(q);
  }

  public async down(q: QueryRunner): Promise<void> {
    await dropAuditTable(q);
  }
}
