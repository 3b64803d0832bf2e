import { GraphQLError } from 'graphql';
import { badInput, ErrorCode } from '../kit/errors';
import { checkIdentityDocument } from '../kit/identity';
import { citizenRef, type IdentityDocument, type PseudonymKey } from '../kit/pseudonym';
import { notBefore, optionalText, requiredText } from '../kit/validation';
import { findUnits, type Queryable, type ResolvedUnit } from '../kit/admin-units/query';
import { validateLocality, type Locality } from '../kit/admin-units/validate';
import { conveyanceId, seat } from './conveyance';
import type { TravelMode } from './entities';

/*
 * Input rules of a movement declaration. Each failure is BAD_USER_INPUT naming the field and the
 * rule (kit/errors.ts) and never repeats an identity number. Everything is checked before anything
 * is written.
 */

export const LIMITS = {
  companions: 20,
  transitUnits: 10,
  purpose: 500,
  detail: 300,
  reason: 500,
  note: 500,
  /** A departure may be declared at most this many days after it happened… */
  pastDays: 30,
  /** …and at most this many days ahead. */
  aheadDays: 90,
  /** A domestic journey takes at most this long. */
  journeyDays: 7,
  /** `validUntil` at most this many days after departure. */
  validityDays: 30,
  /** Default validity: this long after arrival (or departure when no arrival is declared). */
  defaultValidityHours: 24,
} as const;

const DAY_MS = 86_400_000;

export interface PlaceInput {
  provinceCode: string;
  districtCode?: string | null;
  wardCode?: string | null;
  detail?: string | null;
}

export interface DeclareMovementInput {
  citizen: IdentityDocument;
  companions?: IdentityDocument[] | null;
  mode: TravelMode;
  conveyanceId?: string | null;
  seat?: string | null;
  departAt: Date;
  arriveAt?: Date | null;
  origin: PlaceInput;
  destination: PlaceInput;
  transitUnitCodes?: string[] | null;
  purpose?: string | null;
  validUntil?: Date | null;
}

export interface ValidPlace {
  provinceCode: string;
  districtCode: string | null;
  wardCode: string | null;
  detail: string | null;
}

/** A declaration ready to store: pseudonyms instead of documents, normalised values. */
export interface ValidDeclaration {
  citizenRef: string;
  companionRefs: string[];
  mode: TravelMode;
  conveyanceId: string | null;
  seat: string | null;
  departAt: Date;
  arriveAt: Date | null;
  origin: ValidPlace;
  destination: ValidPlace;
  transitUnitCodes: string[];
  purpose: string | null;
  validUntil: Date;
}

/** Re-raises a kit BAD_USER_INPUT error under another field name, keeping its rule. */
function renamed(e: unknown, rename: (field: string) => string): unknown {
  if (!(e instanceof GraphQLError) || e.extensions.code !== ErrorCode.BAD_USER_INPUT) return e;
  const field = typeof e.extensions.field === 'string' ? e.extensions.field : '';
  const rule = e.message.startsWith(`${field}: `) ? e.message.slice(field.length + 2) : e.message;
  return badInput(rename(field), rule);
}

/**
 * The pseudonym of an identity document, after the kit's format and province rules (no year of
 * birth or sex is declared here). Errors name `${field}.number`, `${field}.country`…
 */
export function documentRef(field: string, doc: IdentityDocument, key: PseudonymKey): string {
  try {
    checkIdentityDocument(doc, {}, field);
  } catch (e) {
    throw renamed(e, (f) => (f.startsWith('document.') ? `${field}${f.slice('document'.length)}` : f));
  }
  return citizenRef(doc, key);
}

function companionRefs(input: DeclareMovementInput, declarant: string, key: PseudonymKey): string[] {
  const docs = input.companions ?? [];
  if (docs.length > LIMITS.companions) {
    throw badInput('companions', `must list at most ${LIMITS.companions} people`);
  }
  const refs: string[] = [];
  docs.forEach((doc, i) => {
    const ref = documentRef(`companions[${i}]`, doc, key);
    if (ref === declarant) throw badInput(`companions[${i}]`, 'must not be the declaring citizen');
    if (refs.includes(ref)) throw badInput(`companions[${i}]`, 'lists the same person twice');
    refs.push(ref);
  });
  return refs;
}

/** Departure, arrival and validity: ordered, and within sensible distances of each other and now. */
function times(input: DeclareMovementInput, now: Date): Pick<ValidDeclaration, 'departAt' | 'arriveAt' | 'validUntil'> {
  const departAt = input.departAt;
  if (departAt.getTime() < now.getTime() - LIMITS.pastDays * DAY_MS) {
    throw badInput('departAt', `must not be more than ${LIMITS.pastDays} days in the past`);
  }
  if (departAt.getTime() > now.getTime() + LIMITS.aheadDays * DAY_MS) {
    throw badInput('departAt', `must not be more than ${LIMITS.aheadDays} days ahead`);
  }
  const arriveAt = input.arriveAt ?? null;
  if (arriveAt) {
    notBefore('arriveAt', arriveAt, 'departAt', departAt);
    if (arriveAt.getTime() > departAt.getTime() + LIMITS.journeyDays * DAY_MS) {
      throw badInput('arriveAt', `must be at most ${LIMITS.journeyDays} days after departAt`);
    }
  }
  const end = arriveAt ?? departAt;
  const validUntil = input.validUntil ?? new Date(end.getTime() + LIMITS.defaultValidityHours * 3_600_000);
  notBefore('validUntil', validUntil, arriveAt ? 'arriveAt' : 'departAt', end);
  if (validUntil.getTime() > departAt.getTime() + LIMITS.validityDays * DAY_MS) {
    throw badInput('validUntil', `must be at most ${LIMITS.validityDays} days after departAt`);
  }
  return { departAt, arriveAt, validUntil };
}

function place(field: string, input: PlaceInput): ValidPlace {
  const code = (v: string | null | undefined) => (v === null || v === undefined || !v.trim() ? null : v.trim());
  return {
    provinceCode: input.provinceCode.trim(),
    districtCode: code(input.districtCode),
    wardCode: code(input.wardCode),
    detail: optionalText(`${field}.detail`, input.detail, LIMITS.detail),
  };
}

const UNIT_CODE = /^(\d{2}|\d{3}|\d{5})$/;
const levelOf = (code: string): number => (code.length === 2 ? 1 : code.length === 3 ? 2 : 3);

/** The codes' format, count and uniqueness (no database needed). */
function transitCodes(input: DeclareMovementInput): string[] {
  const codes = (input.transitUnitCodes ?? []).map((c) => c.trim());
  if (codes.length > LIMITS.transitUnits) {
    throw badInput('transitUnitCodes', `must list at most ${LIMITS.transitUnits} units`);
  }
  codes.forEach((code, i) => {
    if (!UNIT_CODE.test(code)) {
      throw badInput(`transitUnitCodes[${i}]`, 'must be a 2-digit province, 3-digit district or 5-digit ward code');
    }
    if (codes.indexOf(code) !== i) throw badInput(`transitUnitCodes[${i}]`, 'lists the same unit twice');
  });
  return codes;
}

/**
 * Each transit unit must exist and, like an origin, be valid in the list in force at departure:
 * its province, district and ward are rebuilt from the list and checked by `validateLocality`
 * (so a level the list in force no longer has is checked for format only, as for origins).
 */
async function checkTransitUnits(q: Queryable, codes: readonly string[], at: Date): Promise<void> {
  if (!codes.length) return;
  const known = new Map<string, ResolvedUnit>((await findUnits(q, codes, null)).map((u) => [u.code, u]));
  const parents = [...known.values()].map((u) => u.parentCode).filter((p): p is string => !!p && !known.has(p));
  for (const u of await findUnits(q, parents, null)) known.set(u.code, u);

  for (const [i, code] of codes.entries()) {
    const field = `transitUnitCodes[${i}]`;
    const unit = known.get(code);
    if (!unit || unit.level !== levelOf(code)) throw badInput(field, 'no administrative unit has this code');
    const parent = unit.parentCode ? known.get(unit.parentCode) : undefined;
    const locality: Locality =
      unit.level === 1
        ? { provinceCode: code }
        : unit.level === 2
          ? { provinceCode: unit.parentCode ?? '', districtCode: code }
          : parent?.level === 2
            ? { provinceCode: parent.parentCode ?? '', districtCode: parent.code, wardCode: code }
            : { provinceCode: unit.parentCode ?? '', wardCode: code };
    try {
      await validateLocality(q, locality, at);
    } catch (e) {
      throw renamed(e, () => field);
    }
  }
}

/**
 * Validates and normalises a declaration: first every rule that needs no database, then the unit
 * codes against the list in force at the departure date.
 */
export async function validateDeclaration(
  q: Queryable,
  input: DeclareMovementInput,
  key: PseudonymKey,
  now: Date = new Date(),
): Promise<ValidDeclaration> {
  const declarant = documentRef('citizen', input.citizen, key);
  const companions = companionRefs(input, declarant, key);
  const conveyance = conveyanceId('conveyanceId', input.mode, input.conveyanceId);
  const seatValue = seat('seat', input.seat);
  const when = times(input, now);
  const origin = place('origin', input.origin);
  const destination = place('destination', input.destination);
  const transit = transitCodes(input);
  const purpose = optionalText('purpose', input.purpose, LIMITS.purpose);

  await validateLocality(q, origin, when.departAt, 'origin.');
  await validateLocality(q, destination, when.departAt, 'destination.');
  await checkTransitUnits(q, transit, when.departAt);

  return {
    citizenRef: declarant,
    companionRefs: companions,
    mode: input.mode,
    conveyanceId: conveyance,
    seat: seatValue,
    ...when,
    origin,
    destination,
    transitUnitCodes: transit,
    purpose,
  };
}

/** A reason for cancelling or rejecting: required free text. */
export const reason = (value: string): string => requiredText('reason', value, LIMITS.reason);

/** An approval note: optional free text. */
export const note = (value: string | null | undefined): string | null => optionalText('note', value, LIMITS.note);
