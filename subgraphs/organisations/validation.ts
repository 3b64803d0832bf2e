import { badInput } from '../kit/errors';

export { email, optionalText, phone, requiredText } from '../kit/validation';
export { isUuid } from '../kit/refs';

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
