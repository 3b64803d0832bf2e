import type { Principal } from './principal';
import { Scope } from './roles';

/**
 * Masked identity values for callers who may see a record but not its personal fields
 * (DESIGN §5.6): `001099012345` → `0010******45`, `0912345678` → `09******78`. The clear value is
 * never sent to such a caller; the mask keeps enough to tell two values apart on a screen.
 */
function mask(value: string, keepStart: number, keepEnd: number): string {
  if (value.length <= keepStart + keepEnd) return '*'.repeat(value.length);
  return value.slice(0, keepStart) + '*'.repeat(value.length - keepStart - keepEnd) + value.slice(-keepEnd);
}

export const maskDocumentNumber = (value: string): string => mask(value, 4, 2);
export const maskPhone = (value: string): string => mask(value, value.startsWith('+') ? 3 : 2, 2);

export function mayReadPersonal(principal: Pick<Principal, 'scopes'>): boolean {
  return principal.scopes.includes(Scope.PII_READ);
}

/** The clear value for callers with `pii:read`, the masked one for the others; null stays null. */
export function personalValue(
  principal: Pick<Principal, 'scopes'>,
  value: string | null | undefined,
  masker: (v: string) => string,
): string | null {
  if (value === null || value === undefined) return null;
  return mayReadPersonal(principal) ? value : masker(value);
}
