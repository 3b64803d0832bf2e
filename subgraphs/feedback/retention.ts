import type { RetentionRule } from '../kit/retention';

const CLOSED = `('RESOLVED', 'REJECTED', 'DUPLICATE')`;

/**
 * Feedback's retention (kit/retention.ts): a closed item (RESOLVED, REJECTED or DUPLICATE) goes
 * RETENTION_FEEDBACK_DAYS (365) after its closure — the time of its last change into a closed
 * status — with its change history (ON DELETE CASCADE). An item that a younger duplicate points at
 * stays until that duplicate goes (the next batch or run takes it).
 */
export const feedbackRetention: readonly RetentionRule[] = [
  {
    name: 'feedback',
    entityType: 'Feedback',
    period: 'FEEDBACK',
    basis: 'closed_at (last change into RESOLVED, REJECTED or DUPLICATE)',
    select: `SELECT f.id::text AS key, c.at FROM feedback f
              CROSS JOIN LATERAL (SELECT max(x.at) AS at FROM feedback_change x
                                   WHERE x.feedback_id = f.id AND x.to_status IN ${CLOSED}) c
              WHERE f.status IN ${CLOSED} AND c.at < $1
                AND NOT EXISTS (SELECT 1 FROM feedback d WHERE d.duplicate_of = f.id)
              ORDER BY c.at, f.id LIMIT $2`,
    delete: `DELETE FROM feedback WHERE id = ANY ($1::uuid[])`,
  },
];
