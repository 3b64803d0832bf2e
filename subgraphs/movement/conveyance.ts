import { badInput } from '../kit/errors';
import type { TravelMode } from './entities';

/*
 * Conveyance ids: a flight number, a train number, a vehicle plate, a ship's name or number. They
 * are compared upper-case without spaces, and plates in one canonical spelling, so "29a 12345",
 * "29A-12345" and "29A-123.45" are the same car.
 */

/**
 * A Vietnamese plate: province (2 digits), series (1-2 letters and, on motorbikes, a digit), then a
 * 5-digit (123.45) or older 4-digit number; motorbike plates print as "29-B1 123.45". Without
 * separators "29B12345" could be 29B-123.45 or 29B1-2345: the series' digit is lazy, so the current
 * 5-digit form wins unless a hyphen says otherwise.
 */
const PLATE = /^(\d{2})-?([A-Z]{1,2}\d??)-?(\d{3}\.?\d{2}|\d{4})$/;
/** IATA airline designator (2 characters, at least one a letter) and a 1-4 digit flight number. */
const FLIGHT = /^(?:[A-Z]{2}|[A-Z]\d|\d[A-Z])\d{1,4}$/;
/** Train numbers such as SE1, TN2, SNT2. */
const TRAIN = /^[A-Z]{1,4}\d{1,4}$/;
/** Anything else (ships, other modes): letters, digits and a few separators. */
const OTHER = /^[A-Z0-9][A-Z0-9./-]{0,29}$/;

const MAX_LENGTH = 30;

/** Upper-case without spaces; a plate in its canonical spelling (`29A-123.45`, `51B-1234`). */
export function normaliseConveyanceId(raw: string): string {
  const compact = raw.replace(/\s+/g, '').toUpperCase();
  const plate = PLATE.exec(compact);
  if (!plate) return compact;
  const [, province, series, number] = plate as unknown as [string, string, string, string];
  const serial = number.replace('.', '');
  return `${province}${series}-${serial.length === 5 ? `${serial.slice(0, 3)}.${serial.slice(3)}` : serial}`;
}

const isPlate = (value: string): boolean => PLATE.test(value);

const RULES: Readonly<Record<TravelMode, { required: boolean; test: (v: string) => boolean; rule: string }>> = {
  PLANE: {
    required: true,
    test: (v) => FLIGHT.test(v),
    rule: 'a flight number is a 2-character airline code and 1 to 4 digits, e.g. VN123 or VJ1234',
  },
  TRAIN: {
    required: true,
    test: (v) => TRAIN.test(v),
    rule: 'a train number is 1 to 4 letters and 1 to 4 digits, e.g. SE1',
  },
  COACH: { required: true, test: isPlate, rule: 'a coach is identified by its plate, e.g. 29B-123.45' },
  CAR: { required: true, test: isPlate, rule: 'a car is identified by its plate, e.g. 29A-123.45' },
  MOTORBIKE: { required: true, test: isPlate, rule: 'a motorbike is identified by its plate, e.g. 29B1-123.45' },
  SHIP: { required: false, test: (v) => OTHER.test(v), rule: 'must be letters, digits, ".", "/" or "-"' },
  OTHER: { required: false, test: (v) => OTHER.test(v), rule: 'must be letters, digits, ".", "/" or "-"' },
};

/** The normalised conveyance id for `mode`, or null when omitted where the mode allows it. */
export function conveyanceId(field: string, mode: TravelMode, raw: string | null | undefined): string | null {
  const rules = RULES[mode];
  if (raw === null || raw === undefined || !raw.trim()) {
    if (rules.required) throw badInput(field, `is required when travelling by ${mode}`);
    return null;
  }
  const value = normaliseConveyanceId(raw);
  if (value.length > MAX_LENGTH) throw badInput(field, `must be at most ${MAX_LENGTH} characters`);
  if (!rules.test(value)) throw badInput(field, rules.rule);
  return value;
}

/** A conveyance id used as a search key: normalised, non-empty, not absurdly long. */
export function conveyanceSearchKey(field: string, raw: string): string {
  const value = normaliseConveyanceId(raw);
  if (!value) throw badInput(field, 'must not be empty');
  if (value.length > MAX_LENGTH) throw badInput(field, `must be at most ${MAX_LENGTH} characters`);
  return value;
}

const SEAT = /^[A-Z0-9-]{1,8}$/;

/** A seat such as 12A or B-04: upper-case, no spaces, at most 8 letters, digits or "-". */
export function seat(field: string, raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined || !raw.trim()) return null;
  const value = raw.replace(/\s+/g, '').toUpperCase();
  if (!SEAT.test(value)) throw badInput(field, 'must be at most 8 letters, digits or "-", e.g. 12A');
  return value;
}
