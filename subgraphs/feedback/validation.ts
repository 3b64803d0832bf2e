import { GraphQLError } from 'graphql';
import { badInput } from '../kit/errors';
import { checkIdentityDocument } from '../kit/identity';
import { citizenRef, type IdentityDocument, type PseudonymKey } from '../kit/pseudonym';
import { findUnits, type Queryable } from '../kit/admin-units/query';
import { validateLocality } from '../kit/admin-units/validate';
import { optionalText, phone } from '../kit/validation';
import type { ReporterKind } from './entities';

/*
 * Input rules of the feedback subgraph. Each failure is BAD_USER_INPUT naming the field (with its
 * path inside the input, e.g. `input.reporter.phone`) and the rule; messages never repeat a
 * description, phone or identity number.
 */

export const LIMITS = { description: 4000, address: 500, note: 2000, resolution: 4000 } as const;
/** How far back a report may be dated (a hotline entering calls taken during an outage). */
export const MAX_BACKDATE_DAYS = 30;

/**
 * Runs `fn`, prefixing the field of a BAD_USER_INPUT it throws (kit rules name fields without the
 * input's path, e.g. `document.number`). A general helper kept here rather than in the kit.
 */
export function withFieldPrefix<T>(prefix: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw prefixed(prefix, e);
  }
}

export async function withFieldPrefixAsync<T>(prefix: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw prefixed(prefix, e);
  }
}

function prefixed(prefix: string, e: unknown): unknown {
  const field = e instanceof GraphQLError ? e.extensions.field : undefined;
  if (e instanceof GraphQLError && e.extensions.code === 'BAD_USER_INPUT' && typeof field === 'string') {
    return badInput(`${prefix}${field}`, e.message.slice(field.length + 2));
  }
  return e;
}

/** Renames the field of a BAD_USER_INPUT (for kit rules that name a field differently). */
function renamed(field: string, e: unknown): unknown {
  const old = e instanceof GraphQLError ? e.extensions.field : undefined;
  if (e instanceof GraphQLError && e.extensions.code === 'BAD_USER_INPUT' && typeof old === 'string') {
    return badInput(field, e.message.slice(old.length + 2));
  }
  return e;
}

/** `Citizen.ref`: `<key version>.<base64url HMAC-SHA256>` (kit/pseudonym.ts). */
const CITIZEN_REF = /^[a-z0-9]{1,8}\.[A-Za-z0-9_-]{43}$/;
export function citizenRefValue(field: string, value: string): string {
  if (!CITIZEN_REF.test(value)) throw badInput(field, 'is not a Citizen.ref (a pseudonym from the graph)');
  return value;
}

export interface DocumentInput {
  type: IdentityDocument['type'];
  number: string;
  country?: string | null;
}

/** The pseudonym of `${parent}.document`; the number itself is never kept. */
function refOfDocument(parent: string, doc: DocumentInput, key: PseudonymKey): string {
  // the kit's rules name the fields `document.number`, `document.country`…
  return withFieldPrefix(`${parent}.`, () => {
    const document: IdentityDocument = { type: doc.type, number: doc.number, country: doc.country ?? null };
    checkIdentityDocument(document, {}, 'document');
    return citizenRef(document, key);
  });
}

export interface PersonInput {
  citizenRef?: string | null;
  document?: DocumentInput | null;
}

export interface ReporterInput extends PersonInput {
  phone?: string | null;
  anonymous?: boolean | null;
}

export interface Reporter {
  kind: ReporterKind;
  ref: string | null;
  phone: string | null;
}

const given = (v: unknown): boolean => v !== null && v !== undefined;

/** Exactly one of citizenRef, document, phone or anonymous: true. */
export function reporter(field: string, input: ReporterInput, key: PseudonymKey): Reporter {
  const ways = [given(input.citizenRef), given(input.document), given(input.phone), input.anonymous === true].filter(
    Boolean,
  ).length;
  if (ways !== 1) throw badInput(field, 'give exactly one of citizenRef, document, phone or anonymous: true');
  if (input.anonymous === false) throw badInput(`${field}.anonymous`, 'is only given as true');
  if (given(input.citizenRef)) {
    return { kind: 'CITIZEN', ref: citizenRefValue(`${field}.citizenRef`, input.citizenRef!), phone: null };
  }
  if (given(input.document)) return { kind: 'CITIZEN', ref: refOfDocument(field, input.document!, key), phone: null };
  if (given(input.phone)) {
    const digits = phone(`${field}.phone`, input.phone);
    if (!digits) throw badInput(`${field}.phone`, 'must not be empty');
    return { kind: 'PHONE', ref: null, phone: digits };
  }
  return { kind: 'ANONYMOUS', ref: null, phone: null };
}

/** The person a report is about: a ref or a document (→ ref), not both; null when omitted. */
export function reportedPerson(field: string, input: PersonInput | null | undefined, key: PseudonymKey): string | null {
  if (!input) return null;
  if (given(input.citizenRef) === given(input.document))
    throw badInput(field, 'give exactly one of citizenRef or document');
  return given(input.citizenRef)
    ? citizenRefValue(`${field}.citizenRef`, input.citizenRef!)
    : refOfDocument(field, input.document!, key);
}

export interface LocationInput {
  address?: string | null;
  latitude?: number | null;
  longitude?: number | null;
}

export interface Location {
  address: string | null;
  latitude: number | null;
  longitude: number | null;
}

export function location(field: string, input: LocationInput | null | undefined): Location {
  if (!input) return { address: null, latitude: null, longitude: null };
  const address = optionalText(`${field}.address`, input.address, LIMITS.address);
  const latitude = input.latitude ?? null;
  const longitude = input.longitude ?? null;
  if ((latitude === null) !== (longitude === null)) {
    throw badInput(`${field}.${latitude === null ? 'latitude' : 'longitude'}`, 'latitude and longitude go together');
  }
  if (latitude !== null && (latitude < -90 || latitude > 90))
    throw badInput(`${field}.latitude`, 'must be between -90 and 90');
  if (longitude !== null && (longitude < -180 || longitude > 180)) {
    throw badInput(`${field}.longitude`, 'must be between -180 and 180');
  }
  if (address === null && latitude === null) throw badInput(field, 'give an address, coordinates or both');
  return { address, latitude, longitude };
}

/** Not in the future (5 minutes of clock skew allowed) and at most MAX_BACKDATE_DAYS back. */
export function reportedAt(field: string, value: Date | null | undefined, now: Date): Date {
  if (!value) return now;
  if (value.getTime() > now.getTime() + 5 * 60_000) throw badInput(field, 'must not be in the future');
  if (value.getTime() < now.getTime() - MAX_BACKDATE_DAYS * 86_400_000) {
    throw badInput(field, `must be within the last ${MAX_BACKDATE_DAYS} days`);
  }
  return value;
}

const ORGANISATION_CODE = /^[A-Z0-9][A-Z0-9-]{1,31}$/;
/**
 * An `Organisation.code`, checked for format only: the organisations subgraph is the authority on
 * which organisations exist, and this subgraph cannot read its database.
 */
export function organisationCode(field: string, value: string): string {
  if (!ORGANISATION_CODE.test(value)) throw badInput(field, 'must be 2-32 capital letters, digits or hyphens');
  return value;
}

const UNIT_CODE = /^(\d{2}|\d{3}|\d{5})$/;
/** A unit code of any level (province 2 digits, district 3, ward 5): syntax only, for filters. */
export function unitCodeFormat(field: string, value: string): string {
  if (!UNIT_CODE.test(value)) throw badInput(field, 'must be a province (2 digits), district (3) or ward (5) code');
  return value;
}

/**
 * A single unit code of any level, checked with `validateLocality` against the list in force at
 * `at`: the unit's ancestors are looked up so the whole chain (ward in district in province) is
 * checked the same way a record's locality is.
 */
export async function unitInForce(q: Queryable, field: string, code: string, at: Date): Promise<string> {
  unitCodeFormat(field, code);
  const locality = { provinceCode: code, districtCode: null as string | null, wardCode: null as string | null };
  if (code.length > 2) {
    const [unit] = await findUnits(q, [code], null);
    if (!unit) throw badInput(field, 'no administrative unit has this code');
    if (code.length === 3) {
      locality.districtCode = code;
      locality.provinceCode = unit.parentCode ?? '';
    } else if (unit.parentCode && unit.parentCode.length === 3) {
      const [district] = await findUnits(q, [unit.parentCode], null);
      Object.assign(locality, {
        wardCode: code,
        districtCode: unit.parentCode,
        provinceCode: district?.parentCode ?? '',
      });
    } else {
      Object.assign(locality, { wardCode: code, provinceCode: unit.parentCode ?? '' });
    }
  }
  try {
    await validateLocality(q, locality, at);
  } catch (e) {
    throw renamed(field, e);
  }
  return code;
}

/** Optional note of a change: trimmed, null when blank. */
export const note = (field: string, value: string | null | undefined): string | null =>
  optionalText(field, value, LIMITS.note);

export interface Period {
  from: Date | null;
  to: Date | null;
}

/** `from` inclusive, `to` exclusive; `to` must be after `from`. */
export function period(prefix: string, from: Date | null | undefined, to: Date | null | undefined): Period {
  if (from && to && to.getTime() <= from.getTime()) throw badInput(`${prefix}to`, `must be after ${prefix}from`);
  return { from: from ?? null, to: to ?? null };
}
