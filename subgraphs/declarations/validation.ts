import { GraphQLError } from 'graphql';
import { calendarDay } from '../kit/admin-units/dates';
import { validateLocality, type Locality } from '../kit/admin-units/validate';
import type { Queryable } from '../kit/admin-units/query';
import { badInput, ErrorCode } from '../kit/errors';
import { checkIdentityDocument } from '../kit/identity';
import { citizenRef, type DocumentType, type IdentityDocument, type PseudonymKey } from '../kit/pseudonym';
import { toDateText } from '../kit/scalars';
import { email, notBefore, notInFuture, optionalText, phone, requiredText } from '../kit/validation';
import type {
  Declarant,
  DeclarationKind,
  EntryDetails,
  ExposureQuestion,
  HealthAnswers,
  ProxyDeclarant,
  ProxyRelationship,
  Sex,
  Symptom,
  TestResult,
  TestType,
} from './entities';

/*
 * Input rules of the declaration forms. Each failure is BAD_USER_INPUT naming the field (relative to
 * the mutation's input, e.g. `identity.document.number`) and the rule; messages never repeat
 * identity numbers, phones, emails or health answers. `checkForm` runs the rules that need no
 * database; `checkLocalities` those that read the unit list. Mutations run both before writing.
 */

export const LIMITS = {
  fullName: 200,
  questionnaireVersion: 32,
  addressDetail: 300,
  place: 200,
  facilityName: 200,
  reason: 500,
  travelStops: 30,
  maxWindowDays: 21,
  maxMonitoringDays: 60,
} as const;

/** GraphQL input shapes (what the resolvers receive). */
export interface DocumentInput {
  type: DocumentType;
  number: string;
  country?: string | null;
}
export interface UnitCodesInput {
  provinceCode: string;
  districtCode?: string | null;
  wardCode?: string | null;
}
export interface AddressInput extends UnitCodesInput {
  detail?: string | null;
}
export interface IdentityInput {
  fullName: string;
  yearOfBirth: number;
  sex: Sex;
  nationality: string;
  document: DocumentInput;
  phone?: string | null;
  email?: string | null;
  contactAddress: AddressInput;
}
export interface HealthAnswersInput {
  symptomWindowDays?: number | null;
  symptoms: Symptom[];
  symptomOnset?: Date | null;
  temperatureCelsius?: number | null;
  exposures?: { question: ExposureQuestion; answer: boolean }[] | null;
  travelHistory?:
    { countryCode: string; provinceCode?: string | null; place?: string | null; from: Date; to?: Date | null }[] | null;
  vaccination?: { doses: number; lastDoseOn?: Date | null } | null;
  latestTest?: { type: TestType; result: TestResult; testedOn: Date } | null;
}
export interface EntryInput {
  arrivalDate: Date;
  departureCountry: string;
  portOfEntry?: string | null;
  quarantineFacility?: (UnitCodesInput & { name: string }) | null;
}
export interface FormInput {
  questionnaireVersion: string;
  declaredBy?: Declarant | null;
  proxy?: { fullName: string; relationship: ProxyRelationship } | null;
  responsibleUnit: UnitCodesInput;
  identity: IdentityInput;
  health: HealthAnswersInput;
  entry?: EntryInput | null;
}
export interface SubmitDeclarationInput extends FormInput {
  kind: DeclarationKind;
  channel: string;
  submittedAt?: Date | null;
}

/** A normalised identity document, with the pseudonym computed from it. */
export interface CheckedDocument {
  type: DocumentType;
  number: string;
  country: string;
  ref: string;
}

export interface CheckedIdentity {
  document: CheckedDocument;
  fullName: string;
  yearOfBirth: number;
  sex: Sex;
  nationality: string;
  phone: string | null;
  email: string | null;
  address: Locality & { detail: string | null };
}

/** Everything a declaration version stores, validated and normalised. */
export interface CheckedForm {
  questionnaireVersion: string;
  declaredBy: Declarant;
  proxy: ProxyDeclarant | null;
  unit: Required<Locality>;
  identity: CheckedIdentity;
  symptomWindowDays: number;
  symptoms: Symptom[];
  answers: HealthAnswers;
  entry: EntryDetails | null;
}

/**
 * Runs `check` and re-labels its BAD_USER_INPUT error's field (kit rules name their own fields, e.g.
 * `document.number`; in a form that is `identity.document.number`).
 */
export function relabelField<T>(relabel: (field: string) => string, check: () => T): T {
  try {
    return check();
  } catch (e) {
    const field = e instanceof GraphQLError ? e.extensions.field : undefined;
    if (e instanceof GraphQLError && e.extensions.code === ErrorCode.BAD_USER_INPUT && typeof field === 'string') {
      throw badInput(relabel(field), e.message.slice(field.length + 2));
    }
    throw e;
  }
}

export const withFieldPrefix = <T>(prefix: string, check: () => T): T => relabelField((f) => `${prefix}${f}`, check);

const ISO_COUNTRY = /^[A-Z]{2}$/;
export function country(field: string, value: string): string {
  const v = value.trim().toUpperCase();
  if (!ISO_COUNTRY.test(v)) throw badInput(field, 'must be a 2-letter ISO 3166-1 country code');
  return v;
}

const CHANNEL = /^[a-z][a-z0-9-]{1,31}$/;
export function channel(field: string, value: string): string {
  const v = value.trim();
  if (!CHANNEL.test(v))
    throw badInput(field, 'must be 2-32 lowercase letters, digits or hyphens, starting with a letter');
  return v;
}

export function questionnaireVersion(field: string, value: string): string {
  return requiredText(field, value, LIMITS.questionnaireVersion);
}

/** A submission time: default now, never in the future. */
export function submittedAt(field: string, value: Date | null | undefined, now: Date): Date {
  return notInFuture(field, value ?? now, now);
}

/** A calendar day that must not come after `limit` (both YYYY-MM-DD). */
function dayNotAfter(field: string, day: string, limit: string, what = 'the submission day'): string {
  if (day > limit) throw badInput(field, `must not be after ${what}`);
  return day;
}

/** A calendar day `n` days after `day` (both YYYY-MM-DD). */
export const addDays = (day: string, n: number): string =>
  toDateText(new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000));

/** Normalises a document (shape and check rules) and computes its pseudonym. */
export function checkDocument(
  prefix: string,
  doc: DocumentInput,
  person: { yearOfBirth?: number | null; sex?: Sex | null },
  key: PseudonymKey,
): CheckedDocument {
  const input: IdentityDocument = { type: doc.type, number: doc.number, country: doc.country ?? null };
  const normalised = withFieldPrefix(prefix, () => checkIdentityDocument(input, person, 'document'));
  const parts = normalised.split(':');
  const [type, a, b] = parts as [DocumentType, string, string | undefined];
  const checked = b === undefined ? { type, country: 'VN', number: a } : { type, country: a, number: b };
  return { ...checked, ref: citizenRef(input, key) };
}

export function yearOfBirth(field: string, value: number, now: Date): number {
  const current = Number(calendarDay(now).slice(0, 4));
  if (!Number.isInteger(value) || value < 1900 || value > current) {
    throw badInput(field, `must be a year from 1900 to ${current}`);
  }
  return value;
}

function checkIdentity(input: IdentityInput, now: Date, key: PseudonymKey): CheckedIdentity {
  const fullName = requiredText('identity.fullName', input.fullName, LIMITS.fullName);
  const year = yearOfBirth('identity.yearOfBirth', input.yearOfBirth, now);
  const nationality = country('identity.nationality', input.nationality);
  const document = checkDocument('identity.', input.document, { yearOfBirth: year, sex: input.sex }, key);
  return {
    document,
    fullName,
    yearOfBirth: year,
    sex: input.sex,
    nationality,
    phone: phone('identity.phone', input.phone),
    email: email('identity.email', input.email),
    address: {
      provinceCode: input.contactAddress.provinceCode,
      districtCode: input.contactAddress.districtCode ?? null,
      wardCode: input.contactAddress.wardCode ?? null,
      detail: optionalText('identity.contactAddress.detail', input.contactAddress.detail, LIMITS.addressDetail),
    },
  };
}

function checkProxy(input: FormInput): { declaredBy: Declarant; proxy: ProxyDeclarant | null } {
  const declaredBy = input.declaredBy ?? 'SELF';
  if (declaredBy === 'SELF') {
    if (input.proxy) throw badInput('proxy', 'must be omitted when declaredBy is SELF');
    return { declaredBy, proxy: null };
  }
  if (!input.proxy) throw badInput('proxy', 'is required when declaredBy is PROXY');
  return {
    declaredBy,
    proxy: {
      fullName: requiredText('proxy.fullName', input.proxy.fullName, LIMITS.fullName),
      relationship: input.proxy.relationship,
    },
  };
}

function unique<T>(field: string, values: readonly T[], what: string): void {
  if (new Set(values).size !== values.length) throw badInput(field, `must list each ${what} at most once`);
}

export function temperature(field: string, value: number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isFinite(value) || value < 34 || value > 43) throw badInput(field, 'must be between 34.0 and 43.0');
  return Math.round(value * 10) / 10;
}

/** Symptoms and their onset, within a window of `windowDays` ending on the submission day. */
export function checkSymptoms(
  prefix: string,
  symptoms: readonly Symptom[],
  onset: Date | null | undefined,
  windowDays: number,
  day: string,
): { symptoms: Symptom[]; symptomOnset: string | null } {
  unique(`${prefix}symptoms`, symptoms, 'symptom');
  if (!onset) return { symptoms: [...symptoms], symptomOnset: null };
  const field = `${prefix}symptomOnset`;
  if (!symptoms.length) throw badInput(field, 'is only allowed with at least one symptom');
  const onsetDay = dayNotAfter(field, toDateText(onset), day);
  if (onsetDay < addDays(day, 1 - windowDays)) {
    throw badInput(field, `must be within the form's window of ${windowDays} day(s) before submission`);
  }
  return { symptoms: [...symptoms], symptomOnset: onsetDay };
}

function checkHealth(
  kind: DeclarationKind,
  input: HealthAnswersInput,
  day: string,
): { symptomWindowDays: number; symptoms: Symptom[]; answers: HealthAnswers } {
  const windowDays = input.symptomWindowDays ?? (kind === 'DAILY_MONITORING' ? 1 : 14);
  if (!Number.isInteger(windowDays) || windowDays < 1 || windowDays > LIMITS.maxWindowDays) {
    throw badInput('health.symptomWindowDays', `must be from 1 to ${LIMITS.maxWindowDays} days`);
  }
  const { symptoms, symptomOnset } = checkSymptoms('health.', input.symptoms, input.symptomOnset, windowDays, day);
  const temperatureCelsius = temperature('health.temperatureCelsius', input.temperatureCelsius);

  const exposures = (input.exposures ?? []).map((e) => ({ question: e.question, answer: e.answer }));
  unique(
    'health.exposures',
    exposures.map((e) => e.question),
    'question',
  );

  const stops = input.travelHistory ?? [];
  if (stops.length > LIMITS.travelStops) {
    throw badInput('health.travelHistory', `must list at most ${LIMITS.travelStops} stops`);
  }
  const travelHistory = stops.map((s, i) => {
    const p = `health.travelHistory.${i}.`;
    const countryCode = country(`${p}countryCode`, s.countryCode);
    if (s.provinceCode && countryCode !== 'VN') throw badInput(`${p}provinceCode`, 'is only for a stop in Viet Nam');
    if (s.to) notBefore(`${p}to`, s.to, `${p}from`, s.from);
    return {
      countryCode,
      provinceCode: s.provinceCode ?? null,
      place: optionalText(`${p}place`, s.place, LIMITS.place),
      from: dayNotAfter(`${p}from`, toDateText(s.from), day),
      to: s.to ? dayNotAfter(`${p}to`, toDateText(s.to), day) : null,
    };
  });

  let vaccination: HealthAnswers['vaccination'] = null;
  if (input.vaccination) {
    const { doses, lastDoseOn } = input.vaccination;
    if (!Number.isInteger(doses) || doses < 0 || doses > 10) {
      throw badInput('health.vaccination.doses', 'must be from 0 to 10');
    }
    if (lastDoseOn && doses === 0) throw badInput('health.vaccination.lastDoseOn', 'needs at least one dose');
    vaccination = {
      doses,
      lastDoseOn: lastDoseOn ? dayNotAfter('health.vaccination.lastDoseOn', toDateText(lastDoseOn), day) : null,
    };
  }
  const test = input.latestTest;
  const latestTest = test
    ? {
        type: test.type,
        result: test.result,
        testedOn: dayNotAfter('health.latestTest.testedOn', toDateText(test.testedOn), day),
      }
    : null;

  return {
    symptomWindowDays: windowDays,
    symptoms,
    answers: { symptomOnset, temperatureCelsius, exposures, travelHistory, vaccination, latestTest },
  };
}

function checkEntry(kind: DeclarationKind, input: EntryInput | null | undefined, day: string): EntryDetails | null {
  if (kind !== 'ENTRY') {
    if (input) throw badInput('entry', 'is only for an ENTRY declaration');
    return null;
  }
  if (!input) throw badInput('entry', 'is required for an ENTRY declaration');
  const facility = input.quarantineFacility;
  return {
    arrivalDate: dayNotAfter('entry.arrivalDate', toDateText(input.arrivalDate), day),
    departureCountry: country('entry.departureCountry', input.departureCountry),
    portOfEntry: optionalText('entry.portOfEntry', input.portOfEntry, LIMITS.place),
    quarantineFacility: facility
      ? {
          name: requiredText('entry.quarantineFacility.name', facility.name, LIMITS.facilityName),
          provinceCode: facility.provinceCode,
          districtCode: facility.districtCode ?? null,
          wardCode: facility.wardCode ?? null,
        }
      : null,
  };
}

export function unitCodes(input: UnitCodesInput): Required<Locality> {
  return {
    provinceCode: input.provinceCode,
    districtCode: input.districtCode ?? null,
    wardCode: input.wardCode ?? null,
  };
}

/** The rules that need no database, in the order of the form. */
export function checkForm(
  kind: DeclarationKind,
  input: FormInput,
  submitted: Date,
  now: Date,
  key: PseudonymKey,
): CheckedForm {
  const day = calendarDay(submitted);
  return {
    questionnaireVersion: questionnaireVersion('questionnaireVersion', input.questionnaireVersion),
    ...checkProxy(input),
    unit: unitCodes(input.responsibleUnit),
    identity: checkIdentity(input.identity, now, key),
    ...checkHealth(kind, input.health, day),
    entry: checkEntry(kind, input.entry, day),
  };
}

/** Unit codes against the list in force at each record's date (reads the unit list). */
export async function checkLocalities(q: Queryable, form: CheckedForm, submitted: Date): Promise<void> {
  await validateLocality(q, form.unit, submitted, 'responsibleUnit.');
  await validateLocality(q, form.identity.address, submitted, 'identity.contactAddress.');
  for (const [i, stop] of form.answers.travelHistory.entries()) {
    if (stop.provinceCode) {
      await validateLocality(q, { provinceCode: stop.provinceCode }, dayStart(stop.from), `health.travelHistory.${i}.`);
    }
  }
  const facility = form.entry?.quarantineFacility;
  if (facility) {
    await validateLocality(q, facility, dayStart(form.entry!.arrivalDate), 'entry.quarantineFacility.');
  }
}

/** Midnight at the start of a Vietnamese calendar day. */
export function dayStart(day: string): Date {
  return new Date(`${day}T00:00:00+07:00`);
}
