import { badInput } from '../kit/errors';
import { isUuid } from '../kit/refs';

export { notInFuture, optionalText, requiredText } from '../kit/validation';

/*
 * Input rules of this subgraph. Each failure is BAD_USER_INPUT naming the field and the rule
 * (kit/errors.ts), and never echoes personal values (document numbers, plates) back.
 */

export const LIMITS = {
  checkpointName: 200,
  subject: 200,
  closeReason: 500,
  passageReason: 500,
  /** Passages are retained about 25 days; older scans are not accepted. */
  passageMaxAgeDays: 30,
  batchSize: 1000,
  hourLoadDays: 14,
  dayLoadDays: 31,
  defaultWindowDays: 14,
  coPresenceMinutes: { min: 1, max: 1440 },
  coPresenceResults: { default: 100, max: 500 },
} as const;

export const DAY_MS = 86_400_000;

export function uuid(field: string, value: string): string {
  if (!isUuid(value)) throw badInput(field, 'must be a UUID');
  return value.toLowerCase();
}

export function optionalUuid(field: string, value: string | null | undefined): string | null {
  return value === null || value === undefined ? null : uuid(field, value);
}

const ORGANISATION_CODE = /^[A-Z0-9][A-Z0-9-]{1,31}$/;
/** An organisation's code (the organisations subgraph's format; existence is its business). */
export function organisationCode(field: string, value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const v = value.trim();
  if (!ORGANISATION_CODE.test(v)) throw badInput(field, 'must be 2-32 capital letters, digits or hyphens');
  return v;
}

/** Latitude and longitude: both or neither, in range. */
export function position(
  latitude: number | null | undefined,
  longitude: number | null | undefined,
): { latitude: number | null; longitude: number | null } {
  const lat = latitude ?? null;
  const lon = longitude ?? null;
  if (lat === null && lon !== null) throw badInput('latitude', 'is required with longitude');
  if (lon === null && lat !== null) throw badInput('longitude', 'is required with latitude');
  if (lat !== null && !(Number.isFinite(lat) && lat >= -90 && lat <= 90)) {
    throw badInput('latitude', 'must be between -90 and 90');
  }
  if (lon !== null && !(Number.isFinite(lon) && lon >= -180 && lon <= 180)) {
    throw badInput('longitude', 'must be between -180 and 180');
  }
  return { latitude: lat, longitude: lon };
}

export function activePeriod(activeFrom: Date, activeTo: Date | null): void {
  if (activeTo && activeTo.getTime() <= activeFrom.getTime()) throw badInput('activeTo', 'must be after activeFrom');
}

/** A `Citizen.ref`: `<key version>.<base64url HMAC-SHA256>` (kit/pseudonym.ts). */
const CITIZEN_REF = /^[a-z0-9]{1,8}\.[A-Za-z0-9_-]{43}$/;
export function citizenRefText(field: string, value: string): string {
  if (!CITIZEN_REF.test(value)) throw badInput(field, 'is not a citizen pseudonym (Citizen.ref)');
  return value;
}

const DEVICE_TEXT = /^[A-Za-z0-9._:-]{1,100}$/;
/** Device ids and device-side passage ids: 1-100 letters, digits or . _ : - */
export function deviceText(field: string, value: string): string {
  if (!DEVICE_TEXT.test(value)) throw badInput(field, 'must be 1 to 100 letters, digits or . _ : -');
  return value;
}

/**
 * A vehicle plate as printed (e.g. `29A-123.45`, `51F 678.90`): stored upper-case with single
 * spaces. Only the shape is checked: plates of other countries and special series vary.
 */
export function vehiclePlate(field: string, value: string | null | undefined): string | null {
  if (value === null || value === undefined || !value.trim()) return null;
  const v = value.trim().replace(/\s+/g, ' ').toUpperCase();
  if (!/^[0-9A-Z][0-9A-Z.\- ]{2,14}[0-9A-Z]$/.test(v)) {
    throw badInput(field, 'must be 4 to 16 letters, digits, spaces, dots or hyphens');
  }
  return v;
}

/** A window [from, to): defaults to the `defaultDays` before `to` (itself defaulting to now). */
export function timeWindow(
  from: Date | null | undefined,
  to: Date | null | undefined,
  now: Date,
  defaultDays: number = LIMITS.defaultWindowDays,
): { from: Date; to: Date } {
  const end = to ?? now;
  const start = from ?? new Date(end.getTime() - defaultDays * DAY_MS);
  if (end.getTime() <= start.getTime()) throw badInput('to', 'must be after from');
  return { from: start, to: end };
}

export function intInRange(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw badInput(field, `must be an integer from ${min} to ${max}`);
  }
  return value;
}
