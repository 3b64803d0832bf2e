import { badInput, conflict } from '../kit/errors';
import type { FeedbackCategory, FeedbackStatus } from './entities';

/*
 * The handling workflow: deadlines per category and the state machine. One place, so the resolvers,
 * the seed and the tests agree.
 */

/**
 * Hours from `reportedAt` within which a report must be closed, by category: reports that may hide
 * a chain of transmission (suspected cases, quarantine breaches) first, then arrivals from outbreak
 * areas, then rule violations and medical questions, then requests and information problems.
 */
export const DEADLINE_HOURS: Readonly<Record<FeedbackCategory, number>> = {
  SUSPECTED_CASE: 4,
  QUARANTINE_BREACH: 4,
  ARRIVAL_FROM_OUTBREAK_AREA: 12,
  VIOLATION: 24,
  MEDICAL_ADVICE: 24,
  SUPPORT_REQUEST: 72,
  PRICE_GOUGING_OR_FRAUD: 72,
  FALSE_INFORMATION: 72,
  APP_PROBLEM: 120,
  OTHER: 120,
};

export function dueAtFor(category: FeedbackCategory, reportedAt: Date): Date {
  return new Date(reportedAt.getTime() + DEADLINE_HOURS[category] * 3_600_000);
}

/** Statuses that end the workflow: nothing moves out of them. */
export const FINAL_STATUSES: ReadonlySet<FeedbackStatus> = new Set(['RESOLVED', 'REJECTED', 'DUPLICATE']);
/** The open statuses, as SQL (the partial indexes of overdue queries use the same list). */
export const OPEN_STATUSES_SQL = `('RECEIVED', 'ASSIGNED', 'IN_PROGRESS')`;

export const isFinal = (status: FeedbackStatus): boolean => FINAL_STATUSES.has(status);

/** Past its deadline and still open. */
export function isOverdue(row: { status: FeedbackStatus; dueAt: Date }, now: Date = new Date()): boolean {
  return !isFinal(row.status) && row.dueAt.getTime() < now.getTime();
}

/**
 * Every allowed move, by the mutation that makes it. ASSIGNED → ASSIGNED and IN_PROGRESS → ASSIGNED
 * are reassignments; RESOLVED, REJECTED and DUPLICATE are final.
 */
export const TRANSITIONS = {
  assignFeedback: { RECEIVED: ['ASSIGNED'], ASSIGNED: ['ASSIGNED'], IN_PROGRESS: ['ASSIGNED'] },
  markDuplicate: { RECEIVED: ['DUPLICATE'], ASSIGNED: ['DUPLICATE'] },
  transitionFeedback: {
    RECEIVED: ['REJECTED'],
    ASSIGNED: ['IN_PROGRESS', 'REJECTED'],
    IN_PROGRESS: ['RESOLVED', 'REJECTED'],
  },
} as const satisfies Record<string, Partial<Record<FeedbackStatus, readonly FeedbackStatus[]>>>;
export type WorkflowMutation = keyof typeof TRANSITIONS;

/** The statuses `transitionFeedback` can set (assignment and duplicates have their own mutations). */
const VIA_OTHER_MUTATION: Partial<Record<FeedbackStatus, string>> = {
  ASSIGNED: 'use assignFeedback to assign or reassign',
  DUPLICATE: 'use markDuplicate to mark a duplicate',
  RECEIVED: 'feedback never returns to RECEIVED',
};

/** BAD_USER_INPUT when `to` is never a target of `transitionFeedback`. */
export function checkTransitionTarget(to: FeedbackStatus): void {
  const hint = VIA_OTHER_MUTATION[to];
  if (hint) throw badInput('to', `transitionFeedback cannot set ${to}: ${hint}`);
}

/** CONFLICT naming the current status and the attempted one when the move is not allowed. */
export function checkTransition(mutation: WorkflowMutation, from: FeedbackStatus, to: FeedbackStatus): void {
  const allowed: readonly FeedbackStatus[] =
    (TRANSITIONS[mutation] as Partial<Record<FeedbackStatus, readonly FeedbackStatus[]>>)[from] ?? [];
  if (allowed.includes(to)) return;
  const why = isFinal(from)
    ? `${from} is final`
    : allowed.length
      ? `from ${from} ${mutation} allows only ${allowed.join(', ')}`
      : `${mutation} does not apply to ${from} feedback`;
  throw conflict(`cannot move feedback from ${from} to ${to}: ${why}`, mutation === 'transitionFeedback' ? 'to' : 'id');
}
