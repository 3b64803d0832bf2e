import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Operator assignments also record the operator's token subject, so that a checkpoint officer's
 * writes can be matched to their assignments within this subgraph's own database (users live in
 * the organisations subgraph). Existing assignments have none until they are made again.
 */
export class OperatorSubject1795737600100 implements MigrationInterface {
  name = 'OperatorSubject1795737600100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE checkpoint_operator ADD COLUMN operator_subject text`);
    // recordPassage(s) as a checkpoint officer: the officer's open assignments.
    await q.query(
      `CREATE INDEX ix_checkpoint_operator_subject ON checkpoint_operator (operator_subject, checkpoint_id)
       WHERE removed_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_checkpoint_operator_subject`);
    await q.query(`ALTER TABLE checkpoint_operator DROP COLUMN operator_subject`);
  }
}
