import type { DataSource } from 'typeorm';
import { MovementDeclarationRow, MovementStatusChangeRow } from '../../subgraphs/movement/entities';
import { testCitizenRef } from './citizens';
import { Sequence, testInstant, UNITS } from './sequence';

const seq = new Sequence('00e00000');

/** Factory rows stay valid unless a test says otherwise, so they keep the status they are given. */
export const OPEN_VALIDITY = new Date(Date.UTC(2100, 0, 1));

/** Who factory rows are declared and decided by. */
export const FACTORY_DECLARANT = 'test-app';
export const FACTORY_OFFICIAL = 'test-official';

/**
 * Inserts a movement declaration (by default a Hà Nội → Hồ Chí Minh City flight of test person n)
 * with the status history the mutations would have written: the declaration, then the change to
 * its status when that is not DECLARED.
 */
export async function insertMovement(
  ds: DataSource,
  overrides: Partial<MovementDeclarationRow> = {},
): Promise<MovementDeclarationRow> {
  const n = seq.next();
  const repo = ds.getRepository(MovementDeclarationRow);
  const row = repo.create({
    id: seq.uuid(n),
    citizenRef: testCitizenRef(n),
    companionRefs: [],
    mode: 'PLANE',
    conveyanceId: `VN${String(200 + n).padStart(3, '0')}`,
    seat: null,
    departAt: testInstant(24 * n),
    arriveAt: testInstant(24 * n + 2),
    originProvinceCode: UNITS.haNoi.province,
    originDistrictCode: UNITS.haNoi.district,
    originWardCode: UNITS.haNoi.ward,
    originDetail: null,
    destinationProvinceCode: UNITS.hoChiMinh.province,
    destinationDistrictCode: UNITS.hoChiMinh.district,
    destinationWardCode: UNITS.hoChiMinh.ward,
    destinationDetail: null,
    transitUnitCodes: [],
    purpose: null,
    status: 'DECLARED',
    validUntil: OPEN_VALIDITY,
    declaredBy: FACTORY_DECLARANT,
    decidedBy: null,
    decidedAt: null,
    decisionNote: null,
    ...overrides,
  });
  await repo.insert(row);
  const history = ds.getRepository(MovementStatusChangeRow);
  await history.insert({ movementId: row.id, fromStatus: null, toStatus: 'DECLARED', changedBy: row.declaredBy });
  if (row.status !== 'DECLARED') {
    const decided = row.status === 'APPROVED' || row.status === 'REJECTED';
    await history.insert({
      movementId: row.id,
      fromStatus: 'DECLARED',
      toStatus: row.status,
      changedBy: decided ? (row.decidedBy ?? FACTORY_OFFICIAL) : row.declaredBy,
    });
  }
  return repo.findOneByOrFail({ id: row.id });
}
