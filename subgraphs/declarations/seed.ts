import type { DataSource, EntityManager } from 'typeorm';
import { ensureBuiltinUnitList } from '../kit/admin-units/builtin';
import { calendarDay } from '../kit/admin-units/dates';
import { DEMO_PEOPLE, demoInstant, demoUuid, type DemoPerson } from '../kit/demo';
import type { Logger } from '../kit/logger';
import type { SeedContext } from '../kit/module';
import { citizenRef, type PseudonymKey } from '../kit/pseudonym';
import { toDateText } from '../kit/scalars';
import { ENTRY_QUARANTINE_DAYS } from './mutations';
import type { DeclarationKind, EntryDetails, HealthAnswers, Symptom } from './entities';
import { addDays } from './validation';

/** Who seeded rows were recorded by. */
export const SEED_ACTOR = 'system:seed';

/** Reference data every deployment needs: the built-in unit list when none was imported. */
export async function seedReference(ds: DataSource, log: Logger): Promise<void> {
  if (await ensureBuiltinUnitList(ds)) log.info('built-in administrative unit list seeded');
}

const PERSON_BY_INDEX = new Map(DEMO_PEOPLE.map((p) => [p.index, p]));
const person = (index: number): DemoPerson => PERSON_BY_INDEX.get(index)!;
const otherProvince = (p: DemoPerson) => (p.provinceCode === '01' ? '79' : '01');

const NO_ANSWERS: HealthAnswers = {
  symptomOnset: null,
  temperatureCelsius: null,
  exposures: [],
  travelHistory: [],
  vaccination: null,
  latestTest: null,
};

interface DemoDeclaration {
  person: DemoPerson;
  kind: DeclarationKind;
  daysAgo: number;
  hour: number;
  symptoms?: Symptom[];
  answers?: Partial<HealthAnswers>;
  entry?: EntryDetails;
}

/** People who arrived from abroad and were quarantined (their ENTRY declarations open a period). */
const ARRIVALS = [
  { person: 3, daysAgo: 10, from: 'KR', facility: 'Khu cách ly tập trung Sóc Sơn' },
  { person: 9, daysAgo: 6, from: 'JP', facility: 'Khu cách ly tập trung Củ Chi' },
];
/** People a health official placed under monitoring, from `daysAgo` for `days` days. */
const PLACED = [
  { person: 6, daysAgo: 5, days: 10, reason: 'Close contact (F1) of a confirmed case' },
  { person: 12, daysAgo: 4, days: 7, reason: 'Close contact (F1) of a confirmed case' },
];

/**
 * The demo declarations, relative to `now`: everyone's UNIVERSAL form, a few DOMESTIC_TRAVEL and
 * ENTRY forms, and daily monitoring for the people under monitoring, with some days missed
 * (deterministically: a day is missed when person index + days ago is a multiple of 4).
 */
function demoDeclarations(now: Date): DemoDeclaration[] {
  const out: DemoDeclaration[] = DEMO_PEOPLE.map((p) => ({
    person: p,
    kind: 'UNIVERSAL',
    daysAgo: 13 - (p.index % 6),
    hour: 8 + (p.index % 9),
    ...(p.index === 4
      ? { symptoms: ['FEVER', 'COUGH'], answers: { symptomOnset: calendarDay(demoInstant(9, 12, now)) } }
      : {}),
  }));
  for (const index of [2, 5, 8, 11]) {
    const p = person(index);
    out.push({
      person: p,
      kind: 'DOMESTIC_TRAVEL',
      daysAgo: 7 - (index % 3),
      hour: 15,
      answers: {
        travelHistory: [
          {
            countryCode: 'VN',
            provinceCode: otherProvince(p),
            place: null,
            from: calendarDay(demoInstant(12, 0, now)),
            to: calendarDay(demoInstant(9, 0, now)),
          },
        ],
        vaccination: { doses: 2, lastDoseOn: toDateText(new Date(Date.UTC(2021, 9, 1))) },
      },
    });
  }
  for (const a of ARRIVALS) {
    const p = person(a.person);
    out.push({
      person: p,
      kind: 'ENTRY',
      daysAgo: a.daysAgo,
      hour: 7,
      answers: {
        latestTest: { type: 'RT_PCR', result: 'NEGATIVE', testedOn: calendarDay(demoInstant(a.daysAgo + 2, 9, now)) },
      },
      entry: {
        arrivalDate: calendarDay(demoInstant(a.daysAgo, 7, now)),
        departureCountry: a.from,
        portOfEntry: p.provinceCode === '01' ? 'Nội Bài' : 'Tân Sơn Nhất',
        quarantineFacility: { name: a.facility, provinceCode: p.provinceCode, districtCode: null, wardCode: null },
      },
    });
  }
  const monitored = [...ARRIVALS.map((a) => ({ person: a.person, daysAgo: a.daysAgo })), ...PLACED];
  for (const m of monitored) {
    for (let daysAgo = m.daysAgo; daysAgo >= 1; daysAgo--) {
      if ((m.person + daysAgo) % 4 === 0) continue; // a missed day
      out.push({
        person: person(m.person),
        kind: 'DAILY_MONITORING',
        daysAgo,
        hour: 19,
        symptoms: m.person === 9 && daysAgo <= 2 ? ['FEVER'] : [],
        answers: { temperatureCelsius: m.person === 9 && daysAgo <= 2 ? 38.2 : 36.6 },
      });
    }
  }
  return out;
}

async function insertCitizen(m: EntityManager, p: DemoPerson, key: PseudonymKey): Promise<string> {
  const ref = citizenRef({ type: 'CCCD', number: p.documentNumber }, key);
  await m.query(
    `INSERT INTO citizen (ref, document_type, document_number, document_country) VALUES ($1, 'CCCD', $2, 'VN')
     ON CONFLICT (ref) DO NOTHING`,
    [ref, p.documentNumber],
  );
  return ref;
}

async function insertSnapshot(m: EntityManager, p: DemoPerson, ref: string, declaredAt: Date): Promise<string> {
  const [row] = (await m.query(
    `INSERT INTO identity_snapshot (citizen_ref, declared_at, full_name, year_of_birth, sex, nationality, phone,
       email, address_province_code, address_detail)
     VALUES ($1, $2, $3, $4, $5, 'VN', $6, NULL, $7, $8) RETURNING id`,
    [ref, declaredAt, p.fullName, p.yearOfBirth, p.sex, p.phone, p.provinceCode, `Số ${p.index * 7} ngõ ${p.index}`],
  )) as { id: string }[];
  return row!.id;
}

/**
 * A small deterministic demo set over the last 14 days (development only; only into a database with
 * no declarations). Pseudonyms come from the key the subgraph runs with, so the demo people's
 * records join those of the other subgraphs' demo data.
 */
export async function seedDevelopment(ds: DataSource, log: Logger, ctx?: SeedContext): Promise<void> {
  if (!ctx) {
    log.warn('demo declarations not seeded: no pseudonymisation key given');
    return;
  }
  const now = new Date();
  const inserted = await ds.transaction(async (m) => {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('declarations demo seed'))`);
    const any: unknown[] = await m.query(`SELECT 1 FROM health_declaration LIMIT 1`);
    if (any.length) return 0;
    const refs = new Map<number, string>();
    for (const p of DEMO_PEOPLE) refs.set(p.index, await insertCitizen(m, p, ctx.pseudonymKey));

    const declarations = demoDeclarations(now).sort((a, b) => b.daysAgo - a.daysAgo || a.hour - b.hour);
    const latestSnapshot = new Map<number, string>();
    let n = 0;
    for (const d of declarations) {
      n += 1;
      const ref = refs.get(d.person.index)!;
      const submittedAt = demoInstant(d.daysAgo, d.hour, now);
      // Daily records reuse the latest snapshot, as recordDailyMonitoring does.
      const reused = d.kind === 'DAILY_MONITORING' ? latestSnapshot.get(d.person.index) : undefined;
      const snapshotId = reused ?? (await insertSnapshot(m, d.person, ref, submittedAt));
      latestSnapshot.set(d.person.index, snapshotId);
      const symptoms = d.symptoms ?? [];
      const id = demoUuid('declaration', n);
      await m.query(
        `INSERT INTO health_declaration (id, version, citizen_ref, kind, questionnaire_version, channel, declared_by,
           submitted_at, province_code, identity_snapshot_id, symptom_window_days, symptoms, symptomatic, answers,
           entry, recorded_by, recorded_at)
         VALUES ($1, 1, $2, $3, '2021-08', $4, 'SELF', $5, $6, $7, $8, $9, $10, $11, $12, $13, $5)`,
        [
          id,
          ref,
          d.kind,
          d.kind === 'ENTRY' ? 'onsite' : 'app',
          submittedAt,
          d.person.provinceCode,
          snapshotId,
          d.kind === 'DAILY_MONITORING' ? 1 : 14,
          symptoms,
          symptoms.length > 0,
          JSON.stringify({ ...NO_ANSWERS, ...d.answers }),
          d.entry ? JSON.stringify(d.entry) : null,
          SEED_ACTOR,
        ],
      );
      const facility = d.entry?.quarantineFacility;
      if (facility) {
        await m.query(
          `INSERT INTO monitoring_period (citizen_ref, province_code, starts_on, ends_on, reason, source_declaration_id, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [
            ref,
            facility.provinceCode,
            d.entry!.arrivalDate,
            addDays(d.entry!.arrivalDate, ENTRY_QUARANTINE_DAYS - 1),
            `Quarantine after entry (${ENTRY_QUARANTINE_DAYS} days from arrival)`,
            id,
            SEED_ACTOR,
          ],
        );
      }
    }
    for (const [i, placed] of PLACED.entries()) {
      const p = person(placed.person);
      const startsOn = calendarDay(demoInstant(placed.daysAgo, 12, now));
      await m.query(
        `INSERT INTO monitoring_period (id, citizen_ref, province_code, starts_on, ends_on, reason, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          demoUuid('monitoring', i + 1),
          refs.get(p.index),
          p.provinceCode,
          startsOn,
          addDays(startsOn, placed.days - 1),
          placed.reason,
          SEED_ACTOR,
        ],
      );
    }
    return n;
  });
  if (inserted) log.info({ declarations: inserted, people: DEMO_PEOPLE.length }, 'demo declarations seeded');
}
