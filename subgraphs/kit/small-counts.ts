import type { Principal } from './principal';

/** Default for SMALL_COUNT_THRESHOLD: counts below it are suppressed for aggregate-only callers. */
export const DEFAULT_SMALL_COUNT_THRESHOLD = 5;

/**
 * Statistics shown to callers who may read only aggregates (no `recordScope`) suppress counts below
 * the threshold (returned as null), so an aggregate cannot single out a person (DESIGN §5.6).
 */
export function suppressSmall(
  count: number,
  principal: Pick<Principal, 'scopes'>,
  recordScope: string,
  threshold: number = DEFAULT_SMALL_COUNT_THRESHOLD,
): number | null {
  if (principal.scopes.includes(recordScope)) return count;
  return count < threshold ? null : count;
}
