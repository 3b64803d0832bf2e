import type { RetentionRule } from '../kit/retention';

/**
 * Movement's retention (kit/retention.ts): a journey goes RETENTION_MOVEMENT_DAYS (14) after its
 * `valid_until`; its status changes go with it (ON DELETE CASCADE, no per-row events).
 */
export const movementRetention: readonly RetentionRule[] = [
  {
    name: 'movement_declaration',
    entityType: 'MovementDeclaration',
    period: 'MOVEMENT',
    basis: 'valid_until',
    select: `SELECT m.id::text AS key, m.valid_until AS at FROM movement_declaration m
              WHERE m.valid_until < $1 ORDER BY m.valid_until, m.id LIMIT $2`,
    delete: `DELETE FROM movement_declaration WHERE id = ANY ($1::uuid[])`,
  },
];
