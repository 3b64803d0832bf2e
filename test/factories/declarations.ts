import type { DataSource } from 'typeorm';
import { CitizenRow, HealthDeclarationRow } from '../../subgraphs/declarations/entities';
import { testCitizenRef } from './citizens';
import { Sequence, testInstant, UNITS } from './sequence';

const seq = new Sequence('dec00000');

/** Inserts a citizen (by pseudonym); the n-th test person unless `ref` is given. Idempotent. */
export async function insertCitizen(ds: DataSource, overrides: Partial<CitizenRow> = {}): Promise<CitizenRow> {
  const row = ds.getRepository(CitizenRow).create({
    ref: overrides.ref ?? testCitizenRef(seq.next()),
    createdAt: overrides.createdAt ?? testInstant(0),
  });
  await ds.getRepository(CitizenRow).createQueryBuilder().insert().values(row).orIgnore().execute();
  return row;
}

/** Inserts a health declaration, by default of test person n; its citizen is created when missing. */
export async function insertDeclaration(
  ds: DataSource,
  overrides: Partial<HealthDeclarationRow> = {},
): Promise<HealthDeclarationRow> {
  const n = seq.next();
  const citizen = await insertCitizen(ds, { ref: overrides.citizenRef ?? testCitizenRef(n) });
  const row = ds.getRepository(HealthDeclarationRow).create({
    id: seq.uuid(n),
    kind: 'UNIVERSAL',
    questionnaireVersion: '2021-08',
    channel: 'app',
    submittedAt: testInstant(n),
    provinceCode: UNITS.haNoi.province,
    districtCode: UNITS.haNoi.district,
    wardCode: UNITS.haNoi.ward,
    fullName: `Nguyễn Văn Thử ${n}`,
    ...overrides,
    citizenRef: citizen.ref,
  });
  await ds.getRepository(HealthDeclarationRow).insert(row);
  return row;
}
