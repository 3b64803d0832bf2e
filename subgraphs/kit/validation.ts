import { badInput } from './errors';

/*
 * Input rules shared by every subgraph. Each failure is BAD_USER_INPUT naming the field and the
 * rule, and never echoes personal values (identity numbers, phones, emails) back in messages.
 */

/** Required text: trimmed, non-empty, at most `max` characters. */
export function requiredText(field: string, value: string, max: number): string {
  const v = value.trim();
  if (!v) throw badInput(field, 'must not be empty');
  if (v.length > max) throw badInput(field, `must be at most ${max} characters`);
  return v;
}

/** Optional text: null when omitted or blank, else as `requiredText`. */
export function optionalText(field: string, value: string | null | undefined, max: number): string | null {
  if (value === null || value === undefined || !value.trim()) return null;
  return requiredText(field, value, max);
}

const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
export function email(field: string, value: string | null | undefined, max = 254): string | null {
  if (value === null || value === undefined || !value.trim()) return null;
  const v = value.trim();
  if (v.length > max || !EMAIL.test(v)) throw badInput(field, 'must be an email address (name@domain)');
  return v.toLowerCase();
}

/** Phone numbers are stored as digits with an optional leading +, e.g. +84912345678. */
export function phone(field: string, value: string | null | undefined): string | null {
  if (value === null || value === undefined || !value.trim()) return null;
  const v = value.replace(/[\s.()-]/g, '');
  if (!/^\+?\d{8,15}$/.test(v)) throw badInput(field, 'must be 8 to 15 digits, optionally starting with +');
  return v;
}

/** An instant that has already happened (a small allowance covers clock skew between devices). */
export function notInFuture(field: string, value: Date, now: Date = new Date(), skewMs = 5 * 60_000): Date {
  if (value.getTime() > now.getTime() + skewMs) throw badInput(field, 'must not be in the future');
  return value;
}

/** `later` must not be before `earlier`. */
export function notBefore(laterField: string, later: Date, earlierField: string, earlier: Date): void {
  if (later.getTime() < earlier.getTime()) throw badInput(laterField, `must not be before ${earlierField}`);
}
