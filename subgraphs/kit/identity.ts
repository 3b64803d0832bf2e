import { badInput } from './errors';
import { centurySexDigit } from './demo';
import { normaliseDocument, type IdentityDocument } from './pseudonym';

/** Province codes of the pre-2025 list (01–96) that a 12-digit citizen ID's first 3 digits name. */
const BIRTH_PROVINCE = /^0(0[1-9]|[1-8]\d|9[0-6])$/;

/**
 * Format and check rules of an identity document beyond its shape (kit/pseudonym.ts checks the
 * shape): a 12-digit citizen ID (CCCD) encodes the birth province, a century-and-sex digit and the
 * birth year's last two digits, which must agree with the declared year of birth and sex.
 * Messages never repeat the number.
 */
export function checkIdentityDocument(
  doc: IdentityDocument,
  person: { yearOfBirth?: number | null; sex?: 'MALE' | 'FEMALE' | 'OTHER' | null },
  field = 'document',
): string {
  const normalised = normaliseDocument(doc);
  if (doc.type !== 'CCCD') return normalised;
  const digits = normalised.slice('CCCD:'.length);
  if (!BIRTH_PROVINCE.test(digits.slice(0, 3))) {
    throw badInput(`${field}.number`, 'a citizen ID starts with the 3-digit code of a province of birth (001-096)');
  }
  const centurySex = Number(digits[3]);
  if (centurySex > 9) throw badInput(`${field}.number`, 'has an invalid century digit');
  if (person.yearOfBirth !== null && person.yearOfBirth !== undefined) {
    if (Number(digits.slice(4, 6)) !== person.yearOfBirth % 100) {
      throw badInput(`${field}.number`, 'digits 5-6 of a citizen ID must be the last two digits of the year of birth');
    }
    if (person.sex === 'MALE' || person.sex === 'FEMALE') {
      if (centurySex !== centurySexDigit(person.yearOfBirth, person.sex)) {
        throw badInput(`${field}.number`, 'digit 4 of a citizen ID must match the century of birth and sex');
      }
    } else if (Math.floor(centurySex / 2) !== Math.floor(person.yearOfBirth / 100) - 19) {
      throw badInput(`${field}.number`, 'digit 4 of a citizen ID must match the century of birth');
    }
  }
  return normalised;
}
