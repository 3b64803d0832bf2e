import type { DataSource } from 'typeorm';
import {
  CitizenRow,
  HealthDeclarationRow,
  IdentitySnapshotRow,
  MonitoringPeriodRow,
} from '../../subgraphs/declarations/entities';
import { testCitizenDocumentNumber, testCitizenRef } from './citizens';
import { Sequence, testInstant, UNITS } from './sequence';

const seq = new Sequence('dec00000');
const periods = new Sequence('dec0000f');

/**
 * Inserts a citizen (by pseudonym) with the n-th test person's document, unless `ref` is given (then
 * without a document unless one is given too). Idempotent.
 */
export async function insertCitizen(ds: DataSource, overrides: Partial<CitizenRow> = {}): Promise<CitizenRow> {
  const n = seq.next();
  const own = overrides.ref === undefined;
  const row = ds.getRepository(CitizenRow).create({
    ref: overrides.ref ?? testCitizenRef(n),
    createdAt: overrides.createdAt ?? testInstant(0),
    documentType: own ? 'CCCD' : null,
    documentNumber: own ? testCitizenDocumentNumber(n) : null,
    documentCountry: own ? 'VN' : null,
    ...overrides,
  });
  await ds.getRepository(CitizenRow).createQueryBuilder().insert().values(row).orIgnore().execute();
  return row;
}

/** Inserts an identity snapshot of a citizen (the n-th test person's name unless given). */
export async function insertSnapshot(
  ds: DataSource,
  overrides: Partial<IdentitySnapshotRow> & { citizenRef: string },
): Promise<IdentitySnapshotRow> {
  const n = seq.next();
  const row = ds.getRepository(IdentitySnapshotRow).create({
    id: seq.uuid(n),
    declaredAt: testInstant(n),
    fullName: `Nguyễn Văn Thử ${n}`,
    yearOfBirth: 1999,
    sex: 'MALE',
    nationality: 'VN',
    phone: `+849${String(n).padStart(8, '0')}`,
    email: null,
    addressProvinceCode: UNITS.haNoi.province,
    addressDistrictCode: UNITS.haNoi.district,
    addressWardCode: UNITS.haNoi.ward,
    addressDetail: `${n} Phố Phúc Xá`,
    createdAt: testInstant(n),
    ...overrides,
  });
  await ds.getRepository(IdentitySnapshotRow).insert(row);
  return row;
}

export type InsertedDeclaration = HealthDeclarationRow & { identitySnapshot: IdentitySnapshotRow };

/**
 * Inserts version 1 of a health declaration with its identity snapshot, by default of test person
 * n (a UNIVERSAL form from Hà Nội, no symptoms); its citizen is created when missing.
 */
export async function insertDeclaration(
  ds: DataSource,
  overrides: Partial<HealthDeclarationRow> & { fullName?: string } = {},
): Promise<InsertedDeclaration> {
  const { fullName, ...values } = overrides;
  const n = seq.next();
  const citizen = await insertCitizen(
    ds,
    overrides.citizenRef
      ? { ref: overrides.citizenRef }
      : {
          ref: testCitizenRef(n),
          documentType: 'CCCD',
          documentNumber: testCitizenDocumentNumber(n),
          documentCountry: 'VN',
        },
  );
  const submittedAt = overrides.submittedAt ?? testInstant(n);
  const snapshot = await insertSnapshot(ds, {
    citizenRef: citizen.ref,
    declaredAt: submittedAt,
    ...(fullName ? { fullName } : {}),
  });
  const symptoms = overrides.symptoms ?? [];
  const row = ds.getRepository(HealthDeclarationRow).create({
    id: seq.uuid(n),
    version: 1,
    kind: 'UNIVERSAL',
    questionnaireVersion: '2021-08',
    channel: 'app',
    declaredBy: 'SELF',
    proxy: null,
    submittedAt,
    provinceCode: UNITS.haNoi.province,
    districtCode: UNITS.haNoi.district,
    wardCode: UNITS.haNoi.ward,
    identitySnapshotId: snapshot.id,
    symptomWindowDays: overrides.kind === 'DAILY_MONITORING' ? 1 : 14,
    symptoms,
    symptomatic: symptoms.length > 0,
    answers: {
      symptomOnset: null,
      temperatureCelsius: null,
      exposures: [],
      travelHistory: [],
      vaccination: null,
      latestTest: null,
    },
    entry: null,
    recordedBy: 'test-factory',
    recordedAt: submittedAt,
    amendmentReason: null,
    supersededAt: null,
    ...values,
    citizenRef: citizen.ref,
  });
  await ds.getRepository(HealthDeclarationRow).insert(row);
  return Object.assign(row, { identitySnapshot: snapshot });
}

/** Inserts a monitoring period (by default 14 days from 2021-09-01 in Hà Nội) for a citizen. */
export async function insertMonitoringPeriod(
  ds: DataSource,
  overrides: Partial<MonitoringPeriodRow> & { citizenRef: string },
): Promise<MonitoringPeriodRow> {
  const n = periods.next();
  const row = ds.getRepository(MonitoringPeriodRow).create({
    id: periods.uuid(n),
    provinceCode: UNITS.haNoi.province,
    districtCode: null,
    wardCode: null,
    startsOn: '2021-09-01',
    endsOn: '2021-09-14',
    reason: 'Close contact (F1)',
    sourceDeclarationId: null,
    createdBy: 'test-factory',
    createdAt: testInstant(0),
    ...overrides,
  });
  await ds.getRepository(MonitoringPeriodRow).insert(row);
  return row;
}

/** The n-th test person's document as a GraphQL `IdentityDocumentInput`. */
export function testDocumentInput(n: number): { type: 'CCCD'; number: string } {
  return { type: 'CCCD', number: testCitizenDocumentNumber(n) };
}

/**
 * A valid `SubmitDeclarationInput` for test person n (a man born in 1999 in Hà Nội, as the
 * document's digits say): a UNIVERSAL form submitted on 2025-05-10 in Ba Đình, Hà Nội, with no
 * symptoms. Override any top-level field; nested ones are replaced whole.
 */
export function submitInput(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'UNIVERSAL',
    questionnaireVersion: '2021-08',
    channel: 'app',
    submittedAt: '2025-05-10T03:00:00.000Z',
    responsibleUnit: {
      provinceCode: UNITS.haNoi.province,
      districtCode: UNITS.haNoi.district,
      wardCode: UNITS.haNoi.ward,
    },
    identity: identityInput(n),
    health: { symptoms: [] },
    ...overrides,
  };
}

/** A valid `IdentityInput` for test person n; override any field. */
export function identityInput(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    fullName: `Nguyễn Văn Thử ${n}`,
    yearOfBirth: 1999,
    sex: 'MALE',
    nationality: 'VN',
    document: testDocumentInput(n),
    phone: `+849${String(n).padStart(8, '0')}`,
    email: `thu${n}@example.vn`,
    contactAddress: {
      provinceCode: UNITS.haNoi.province,
      districtCode: UNITS.haNoi.district,
      wardCode: UNITS.haNoi.ward,
      detail: `${n} Phố Phúc Xá`,
    },
    ...overrides,
  };
}

/**
 * Gives a seeded subject one more active grant (organisations database, as the owner), e.g. a
 * health official of another province, for tests whose data lies outside the seeded jurisdictions.
 */
export async function grantRole(
  orgDs: DataSource,
  subject: string,
  role: string,
  unitCode: string | null,
): Promise<void> {
  const rows: unknown[] = await orgDs.query(
    `INSERT INTO role_grant (user_id, role, jurisdiction_code, include_descendants, valid_from, granted_by)
     SELECT u.id, $2, $3, true, now() - interval '1 day', 'test:factory' FROM app_user u WHERE u.subject = $1
     RETURNING id`,
    [subject, role, unitCode],
  );
  if (rows.length !== 1) throw new Error(`no seeded subject ${subject}`);
}
