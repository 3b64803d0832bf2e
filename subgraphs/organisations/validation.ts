import { badInput } from '../kit/errors';

/*
 * Input rules. Each failure is BAD_USER_INPUT naming the field and the rule (kit/errors.ts), and
 * never echoes personal values (emails, phones) back into messages or logs.
 */

export const LIMITS = {
  organisationName: 300,
  shortName: 50,
  responsibility: 1000,
  decisionReference: 200,
  displayName: 200,
  subject: 255,
  email: 254,
  revokeReason: 500,
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);

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

const ORGANISATION_CODE = /^[A-Z0-9][A-Z0-9-]{1,31}$/;
export function organisationCode(field: string, value: string): string {
  const v = value.trim();
  if (!ORGANISATION_CODE.test(v)) throw badInput(field, 'must be 2-32 capital letters, digits or hyphens');
  return v;
}

/** An identity provider's subject: printable, no spaces. */
export function subject(field: string, value: string): string {
  const v = value.trim();
  if (!v) throw badInput(field, 'must not be empty');
  if (v.length > LIMITS.subject) throw badInput(field, `must be at most ${LIMITS.subject} characters`);
  if (!/^[\x21-\x7e]+$/.test(v)) throw badInput(field, 'must be printable ASCII without spaces');
  return v;
}

const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
export function email(field: string, value: string | null | undefined): string | null {
  if (value === null || value === undefined || !value.trim()) return null;
  const v = value.trim();
  if (v.length > LIMITS.email || !EMAIL.test(v)) throw badInput(field, 'must be an email address (name@domain)');
  return v.toLowerCase();
}

/** Phone numbers are stored as digits with an optional leading +, e.g. +84912345678. */
export function phone(field: string, value: string | null | undefined): string | null {
  if (value === null || value === undefined || !value.trim()) return null;
  const v = value.replace(/[\s.()-]/g, '');
  if (!/^\+?\d{8,15}$/.test(v)) throw badInput(field, 'must be 8 to 15 digits, optionally starting with +');
  return v;
}
