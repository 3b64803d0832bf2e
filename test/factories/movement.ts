import type { DataSource } from 'typeorm';
import { MovementDeclarationRow } from '../../subgraphs/movement/entities';
import { testCitizenRef } from './citizens';
import { Sequence, testInstant, UNITS } from './sequence';

const seq = new Sequence('00e00000');

/** Inserts a movement declaration: by default a Hà Nội → Hồ Chí Minh City flight of test person n. */
export async function insertMovement(
  ds: DataSource,
  overrides: Partial<MovementDeclarationRow> = {},
): Promise<MovementDeclarationRow> {
  const n = seq.next();
  const row = ds.getRepository(MovementDeclarationRow).create({
    id: seq.uuid(n),
    citizenRef: testCitizenRef(n),
    mode: 'PLANE',
    conveyanceId: `VN${String(200 + n).padStart(3, '0')}`,
    departAt: testInstant(24 * n),
    arriveAt: testInstant(24 * n + 2),
    originProvinceCode: UNITS.haNoi.province,
    originDistrictCode: UNITS.haNoi.district,
    originWardCode: UNITS.haNoi.ward,
    destinationProvinceCode: UNITS.hoChiMinh.province,
    destinationDistrictCode: UNITS.hoChiMinh.district,
    destinationWardCode: UNITS.hoChiMinh.ward,
    status: 'DECLARED',
    ...overrides,
  });
  await ds.getRepository(MovementDeclarationRow).insert(row);
  return row;
}
