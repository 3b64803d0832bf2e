import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `ix_passage_movement` only for passages that name a movement declaration. It is read only by
 * `movement_declaration_id IN (…)` (the passages of movement declarations, checkpoints/loaders.ts),
 * which never matches a NULL, yet every scan without a declaration paid an index entry for its
 * NULL on the write path (docs/PERFORMANCE.md step 14). Dropping and creating the index on the
 * partitioned parent does the same on every partition; partitions made later take the new form.
 * The build holds a SHARE lock on each partition: passage writes wait until it is done (one pass
 * over the live partitions' rows), so on a large table it belongs in a quiet window.
 */
export class PartialMovementIndex1796342400000 implements MigrationInterface {
  name = 'PartialMovementIndex1796342400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_passage_movement`);
    await q.query(
      `CREATE INDEX ix_passage_movement ON passage (movement_declaration_id) WHERE movement_declaration_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_passage_movement`);
    await q.query(`CREATE INDEX ix_passage_movement ON passage (movement_declaration_id)`);
  }
}
