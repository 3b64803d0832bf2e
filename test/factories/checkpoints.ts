import type { DataSource } from 'typeorm';
import { CheckpointRow } from '../../subgraphs/checkpoints/entities';
import { Sequence, testInstant, UNITS } from './sequence';

const seq = new Sequence('c0000000');

/** Inserts a checkpoint: by default an active provincial gateway in Hà Nội, open-ended. */
export async function insertCheckpoint(ds: DataSource, overrides: Partial<CheckpointRow> = {}): Promise<CheckpointRow> {
  const n = seq.next();
  const row = ds.getRepository(CheckpointRow).create({
    id: seq.uuid(n),
    name: `Chốt kiểm soát số ${String(n).padStart(3, '0')}`,
    kind: 'PROVINCIAL_GATEWAY',
    provinceCode: UNITS.haNoi.province,
    districtCode: UNITS.haNoi.district,
    wardCode: UNITS.haNoi.ward,
    latitude: 21.0285 + n / 1000,
    longitude: 105.8542 + n / 1000,
    operatorCode: null,
    scanMode: 'OPERATOR_SCANS_PERSON',
    activeFrom: testInstant(0),
    activeTo: null,
    status: 'ACTIVE',
    ...overrides,
  });
  await ds.getRepository(CheckpointRow).insert(row);
  return row;
}
