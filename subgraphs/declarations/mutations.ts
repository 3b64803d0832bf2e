import { IsNull, type EntityManager } from 'typeorm';
import { calendarDay } from '../kit/admin-units/dates';
import { validateLocality } from '../kit/admin-units/validate';
import { requireScope } from '../kit/authz';
import { badInput, conflict, notFound } from '../kit/errors';
import { idempotent } from '../kit/idempotency';
import { isUuid } from '../kit/refs';
import { Scope } from '../kit/roles';
import { toDateText } from '../kit/scalars';
import type { SubgraphContext } from '../kit/server';
import { notBefore, requiredText } from '../kit/validation';
import {
  HealthDeclarationRow,
  IdentitySnapshotRow,
  MonitoringPeriodRow,
  type DeclarationKind,
  type EntryDetails,
  type Symptom,
} from './entities';
import { inJurisdiction, outsideJurisdiction } from './jurisdiction';
import { citizenLoader } from './loaders';
import * as v from './validation';

/*
 * Writes. Each checks its scope (defence in depth behind the gateway), validates its whole input
 * (the database is only read), then writes in one transaction, so a failure leaves nothing behind.
 * Messages never repeat identity numbers, phones or health answers, and nothing here logs them.
 * Jurisdiction: a record written in a unit outside the caller's jurisdiction is FORBIDDEN (naming
 * the field); an existing record outside it answers like a missing one.
 */

/** Days in a monitoring period an ENTRY declaration with a quarantine facility opens. */
export const ENTRY_QUARANTINE_DAYS = 14;

type Ctx = SubgraphContext;

async function current(ctx: Ctx, id: string): Promise<HealthDeclarationRow> {
  return ctx.db.getRepository(HealthDeclarationRow).findOneByOrFail({ id, supersededAt: IsNull() });
}

/** FORBIDDEN (naming `${prefix}provinceCode`) unless the caller's jurisdiction covers the unit. */
function requireUnit(ctx: Ctx, prefix: string, unit: v.UnitCodesInput): void {
  const record = {
    provinceCode: unit.provinceCode,
    districtCode: unit.districtCode ?? null,
    wardCode: unit.wardCode ?? null,
  };
  if (!inJurisdiction(ctx.principal, record)) {
    throw outsideJurisdiction(`${prefix}provinceCode`);
  }
}

/** Creates the citizen, or fills in the document of one recorded before documents were kept. */
async function upsertCitizen(m: EntityManager, doc: v.CheckedDocument): Promise<void> {
  await m.query(
    `INSERT INTO citizen (ref, document_type, document_number, document_country) VALUES ($1, $2, $3, $4)
     ON CONFLICT (ref) DO UPDATE SET document_type = EXCLUDED.document_type,
       document_number = EXCLUDED.document_number, document_country = EXCLUDED.document_country
     WHERE citizen.document_type IS NULL`,
    [doc.ref, doc.type, doc.number, doc.country],
  );
}

async function insertSnapshot(m: EntityManager, identity: v.CheckedIdentity, declaredAt: Date): Promise<string> {
  const { identifiers } = await m.getRepository(IdentitySnapshotRow).insert({
    citizenRef: identity.document.ref,
    declaredAt,
    fullName: identity.fullName,
    yearOfBirth: identity.yearOfBirth,
    sex: identity.sex,
    nationality: identity.nationality,
    phone: identity.phone,
    email: identity.email,
    addressProvinceCode: identity.address.provinceCode,
    addressDistrictCode: identity.address.districtCode ?? null,
    addressWardCode: identity.address.wardCode ?? null,
    addressDetail: identity.address.detail,
  });
  return identifiers[0]!.id as string;
}

type VersionValues = Omit<HealthDeclarationRow, 'id' | 'recordedAt' | 'supersededAt' | 'citizen' | 'identitySnapshot'>;

async function insertVersion(m: EntityManager, values: VersionValues & { id?: string }): Promise<string> {
  const { identifiers } = await m.getRepository(HealthDeclarationRow).insert(values);
  return identifiers[0]!.id as string;
}

function formValues(form: v.CheckedForm) {
  return {
    questionnaireVersion: form.questionnaireVersion,
    declaredBy: form.declaredBy,
    proxy: form.proxy,
    provinceCode: form.unit.provinceCode,
    districtCode: form.unit.districtCode,
    wardCode: form.unit.wardCode,
    symptomWindowDays: form.symptomWindowDays,
    symptoms: form.symptoms,
    symptomatic: form.symptoms.length > 0,
    answers: form.answers,
    entry: form.entry,
  };
}

/**
 * Keeps the monitoring period an ENTRY declaration opens in step with its current version: a
 * quarantine facility opens (or moves) a 14-day period from the arrival date; none closes it.
 */
async function syncEntryPeriod(
  m: EntityManager,
  declaration: { id: string; citizenRef: string; entry: EntryDetails | null },
  actor: string,
): Promise<void> {
  const facility = declaration.entry?.quarantineFacility;
  if (!facility) {
    await m.query(`DELETE FROM monitoring_period WHERE source_declaration_id = $1`, [declaration.id]);
    return;
  }
  const startsOn = declaration.entry!.arrivalDate;
  await m.query(
    `INSERT INTO monitoring_period
       (citizen_ref, province_code, district_code, ward_code, starts_on, ends_on, reason, source_declaration_id, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (source_declaration_id) DO UPDATE SET province_code = EXCLUDED.province_code,
       district_code = EXCLUDED.district_code, ward_code = EXCLUDED.ward_code,
       starts_on = EXCLUDED.starts_on, ends_on = EXCLUDED.ends_on, reason = EXCLUDED.reason`,
    [
      declaration.citizenRef,
      facility.provinceCode,
      facility.districtCode,
      facility.wardCode,
      startsOn,
      v.addDays(startsOn, ENTRY_QUARANTINE_DAYS - 1),
      `Quarantine after entry (${ENTRY_QUARANTINE_DAYS} days from arrival)`,
      declaration.id,
      actor,
    ],
  );
}

export async function submitDeclaration(
  ctx: Ctx,
  input: v.SubmitDeclarationInput,
  idempotencyKey: string | null | undefined,
): Promise<HealthDeclarationRow> {
  requireScope(ctx.principal, Scope.DECLARATIONS_WRITE);
  const now = new Date();
  const submittedAt = v.submittedAt('submittedAt', input.submittedAt, now);
  const channel = v.channel('channel', input.channel);
  const form = v.checkForm(input.kind, input, submittedAt, now, ctx.pseudonymKey);
  await v.checkLocalities(ctx.db, form, submittedAt);
  requireUnit(ctx, 'responsibleUnit.', form.unit);

  const actor = ctx.principal.subject;
  const write = { key: idempotencyKey, scope: actor, operation: 'submitDeclaration', input };
  const { id } = await idempotent(ctx.db, write, async (m) => {
    await upsertCitizen(m, form.identity.document);
    const identitySnapshotId = await insertSnapshot(m, form.identity, submittedAt);
    const citizenRef = form.identity.document.ref;
    const id = await insertVersion(m, {
      version: 1,
      citizenRef,
      kind: input.kind,
      channel,
      submittedAt,
      identitySnapshotId,
      recordedBy: actor,
      amendmentReason: null,
      ...formValues(form),
    });
    if (form.entry?.quarantineFacility) await syncEntryPeriod(m, { id, citizenRef, entry: form.entry }, actor);
    return id;
  });
  return current(ctx, id);
}

export async function amendDeclaration(
  ctx: Ctx,
  args: { id: string; expectedVersion: number; input: v.FormInput; reason: string },
): Promise<HealthDeclarationRow> {
  requireScope(ctx.principal, Scope.DECLARATIONS_WRITE);
  const reason = requiredText('reason', args.reason, v.LIMITS.reason);
  const found = isUuid(args.id)
    ? await ctx.db.getRepository(HealthDeclarationRow).findOneBy({ id: args.id, supersededAt: IsNull() })
    : null;
  // Outside the caller's jurisdiction answers like a missing id.
  if (!found || !inJurisdiction(ctx.principal, found)) throw notFound('Health declaration');
  const stale = () =>
    conflict(`expectedVersion: version ${args.expectedVersion} is not the current version`, 'expectedVersion');
  if (found.version !== args.expectedVersion) throw stale();

  const form = v.checkForm(found.kind, args.input, found.submittedAt, new Date(), ctx.pseudonymKey);
  if (form.identity.document.ref !== found.citizenRef) {
    throw badInput(
      'identity.document',
      "must be the declaration's own document (another person needs their own declaration)",
    );
  }
  await v.checkLocalities(ctx.db, form, found.submittedAt);
  requireUnit(ctx, 'responsibleUnit.', form.unit);

  const actor = ctx.principal.subject;
  await ctx.db.transaction(async (m) => {
    // Row lock + re-check: of two amendments of one version, the second finds it superseded.
    // (TypeORM answers an UPDATE with [rows, affected].)
    const [, superseded] = (await m.query(
      `UPDATE health_declaration SET superseded_at = now() WHERE id = $1 AND version = $2 AND superseded_at IS NULL`,
      [found.id, args.expectedVersion],
    )) as [unknown[], number];
    if (superseded !== 1) throw stale();
    const identitySnapshotId = await insertSnapshot(m, form.identity, found.submittedAt);
    await insertVersion(m, {
      id: found.id,
      version: found.version + 1,
      citizenRef: found.citizenRef,
      kind: found.kind,
      channel: found.channel,
      submittedAt: found.submittedAt,
      identitySnapshotId,
      recordedBy: actor,
      amendmentReason: reason,
      ...formValues(form),
    });
    if (found.kind === 'ENTRY') {
      await syncEntryPeriod(m, { id: found.id, citizenRef: found.citizenRef, entry: form.entry }, actor);
    }
  });
  return current(ctx, found.id);
}

interface CitizenChoice {
  citizenRef?: string | null;
  document?: v.DocumentInput | null;
}

/** The pseudonym of exactly one of `citizenRef` and `document`. */
function chosenRef(ctx: Ctx, input: CitizenChoice): string {
  if ((input.citizenRef ? 1 : 0) + (input.document ? 1 : 0) !== 1) {
    throw badInput('citizenRef', 'give exactly one of citizenRef and document');
  }
  if (input.citizenRef) return input.citizenRef;
  return v.checkDocument('', input.document!, {}, ctx.pseudonymKey).ref;
}

async function latestSnapshot(ctx: Ctx, ref: string): Promise<IdentitySnapshotRow | null> {
  return ctx.db
    .getRepository(IdentitySnapshotRow)
    .findOne({ where: { citizenRef: ref }, order: { declaredAt: 'DESC', createdAt: 'DESC', id: 'DESC' } });
}

export interface DailyMonitoringInput extends CitizenChoice {
  submittedAt?: Date | null;
  channel: string;
  questionnaireVersion: string;
  symptoms: Symptom[];
  temperatureCelsius?: number | null;
}

export async function recordDailyMonitoring(
  ctx: Ctx,
  input: DailyMonitoringInput,
  idempotencyKey: string | null | undefined,
): Promise<HealthDeclarationRow> {
  requireScope(ctx.principal, Scope.DECLARATIONS_WRITE);
  const now = new Date();
  const ref = chosenRef(ctx, input);
  const submittedAt = v.submittedAt('submittedAt', input.submittedAt, now);
  const day = calendarDay(submittedAt);
  const channel = v.channel('channel', input.channel);
  const questionnaireVersion = v.questionnaireVersion('questionnaireVersion', input.questionnaireVersion);
  const { symptoms } = v.checkSymptoms('', input.symptoms, null, 1, day);
  const temperatureCelsius = v.temperature('temperatureCelsius', input.temperatureCelsius);

  // The latest-starting period covering the day decides the responsible unit.
  const covering = await ctx.db
    .getRepository(MonitoringPeriodRow)
    .createQueryBuilder('p')
    .where('p.citizen_ref = :ref AND p.starts_on <= :day AND p.ends_on >= :day', { ref, day })
    .orderBy('p.startsOn', 'DESC')
    .addOrderBy('p.id', 'ASC')
    .getOne();
  // A period outside the caller's jurisdiction answers like no period at all.
  if (!covering || !inJurisdiction(ctx.principal, covering)) {
    throw badInput('citizenRef', `has no monitoring period covering ${day}`);
  }
  const snapshot = await latestSnapshot(ctx, ref);
  if (!snapshot) throw badInput('citizenRef', 'has no identity on record');

  const actor = ctx.principal.subject;
  const write = { key: idempotencyKey, scope: actor, operation: 'recordDailyMonitoring', input };
  const { id } = await idempotent(ctx.db, write, (m) =>
    insertVersion(m, {
      version: 1,
      citizenRef: ref,
      kind: 'DAILY_MONITORING' satisfies DeclarationKind,
      questionnaireVersion,
      channel,
      declaredBy: 'SELF',
      proxy: null,
      submittedAt,
      provinceCode: covering.provinceCode,
      districtCode: covering.districtCode,
      wardCode: covering.wardCode,
      identitySnapshotId: snapshot.id,
      symptomWindowDays: 1,
      symptoms,
      symptomatic: symptoms.length > 0,
      answers: {
        symptomOnset: null,
        temperatureCelsius,
        exposures: [],
        travelHistory: [],
        vaccination: null,
        latestTest: null,
      },
      entry: null,
      recordedBy: actor,
      amendmentReason: null,
    }),
  );
  return current(ctx, id);
}

export interface PlaceUnderMonitoringInput extends CitizenChoice {
  unit: v.UnitCodesInput;
  startsOn: Date;
  endsOn: Date;
  reason: string;
}

export async function placeUnderMonitoring(ctx: Ctx, input: PlaceUnderMonitoringInput): Promise<MonitoringPeriodRow> {
  requireScope(ctx.principal, Scope.DECLARATIONS_WRITE);
  const ref = chosenRef(ctx, input);
  notBefore('endsOn', input.endsOn, 'startsOn', input.startsOn);
  const days = (input.endsOn.getTime() - input.startsOn.getTime()) / 86_400_000 + 1;
  if (days > v.LIMITS.maxMonitoringDays) {
    throw badInput('endsOn', `must be at most ${v.LIMITS.maxMonitoringDays} days after startsOn (both inclusive)`);
  }
  const reason = requiredText('reason', input.reason, v.LIMITS.reason);
  const unit = v.unitCodes(input.unit);
  const startsOn = toDateText(input.startsOn);
  // A person the caller may not see answers like one with no declaration on record.
  if (!(await citizenLoader(ctx).load(ref)) || !(await latestSnapshot(ctx, ref))) {
    throw badInput('citizenRef', 'no declaration of this person is on record');
  }
  await validateLocality(ctx.db, unit, v.dayStart(startsOn), 'unit.');
  requireUnit(ctx, 'unit.', unit);

  const repo = ctx.db.getRepository(MonitoringPeriodRow);
  const { identifiers } = await repo.insert({
    citizenRef: ref,
    ...unit,
    startsOn,
    endsOn: toDateText(input.endsOn),
    reason,
    sourceDeclarationId: null,
    createdBy: ctx.principal.subject,
  });
  return repo.findOneByOrFail({ id: identifiers[0]!.id as string });
}
