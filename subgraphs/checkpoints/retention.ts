import type { RetentionRule } from '../kit/retention';

/** Checkpoints' retention (kit/retention.ts): a passage goes RETENTION_PASSAGE_DAYS (25) after its scan. */
export const checkpointsRetention: readonly RetentionRule[] = [
  {
    name: 'passage',
    entityType: 'Passage',
    period: 'PASSAGE',
    basis: 'scanned_at',
    select: `SELECT p.id::text AS key, p.scanned_at AS at FROM passage p
              WHERE p.scanned_at < $1 ORDER BY p.scanned_at, p.id LIMIT $2`,
    delete: `DELETE FROM passage WHERE id = ANY ($1::uuid[])`,
  },
];
