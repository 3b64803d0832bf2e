import { conflict } from '../kit/errors';
import type { MovementStatus } from './entities';

/*
 * The declaration's state machine. DECLARED → APPROVED | REJECTED | CANCELLED; APPROVED →
 * CANCELLED; REJECTED, CANCELLED and EXPIRED are final. EXPIRED is never stored: a DECLARED or
 * APPROVED declaration whose validity has ended reads as EXPIRED (computed in SQL on every read,
 * so it is right without a job) and can no longer change.
 */

export const TRANSITIONS: Readonly<Record<MovementStatus, readonly MovementStatus[]>> = {
  DECLARED: ['APPROVED', 'REJECTED', 'CANCELLED'],
  APPROVED: ['CANCELLED'],
  REJECTED: [],
  CANCELLED: [],
  EXPIRED: [],
};

/** Statuses that expire when `valid_until` has passed. */
export const EXPIRING: readonly MovementStatus[] = ['DECLARED', 'APPROVED'];

/** The effective status of the row aliased `alias`, as SQL. */
export function effectiveStatusSql(alias: string): string {
  const expiring = EXPIRING.map((s) => `'${s}'`).join(', ');
  return `CASE WHEN ${alias}.status IN (${expiring}) AND ${alias}.valid_until < now() THEN 'EXPIRED' ELSE ${alias}.status END`;
}

/** Refuses a transition the state machine does not allow: CONFLICT naming both statuses. */
export function assertTransition(current: MovementStatus, next: MovementStatus): void {
  if (TRANSITIONS[current].includes(next)) return;
  const allowed = TRANSITIONS[current];
  const why = allowed.length
    ? `from ${current} it may only become ${allowed.join(', ')}`
    : current === 'EXPIRED'
      ? 'its validity has ended, so it can no longer change'
      : `${current} is final`;
  throw conflict(`the movement declaration is ${current}: ${current} → ${next} is not allowed (${why})`, 'id');
}
