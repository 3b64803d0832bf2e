import type { PartitionSpec } from '../kit/partitions';
import type { RetentionRule } from '../kit/retention';

/** The partitions of `passage` (migration PartitionPassages): one per Viet Nam day. */
export const PASSAGE_PARTITIONS: PartitionSpec = { table: 'passage', column: 'scanned_at', period: 'day' };

/**
 * Checkpoints' retention (kit/retention.ts): a passage goes RETENTION_PASSAGE_DAYS (25) after its
 * scan. `passage` is partitioned by day of scanned_at: whole days before the cutoff are dropped,
 * then the rows left before it (the cutoff's own day, DEFAULT) go in batches.
 */
export const checkpointsRetention: readonly RetentionRule[] = [
  {
    name: 'passage',
    entityType: 'Passage',
    period: 'PASSAGE',
    basis: 'scanned_at',
    select: `SELECT p.id::text AS key, p.scanned_at AS at FROM passage p
              WHERE p.scanned_at < $1 ORDER BY p.scanned_at, p.id LIMIT $2`,
    delete: `DELETE FROM passage WHERE id = ANY ($1::uuid[])`,
    partitions: PASSAGE_PARTITIONS,
  },
];
