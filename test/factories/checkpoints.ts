import type { DataSource } from 'typeorm';
import { demoUserId, type DEMO_USER_SUBJECTS } from '../../subgraphs/kit/demo';
import { CheckpointOperatorRow, CheckpointRow, PassageRow } from '../../subgraphs/checkpoints/entities';
import { testCitizenRef } from './citizens';
import { Sequence, testInstant, UNITS } from './sequence';

const seq = new Sequence('c0000000');
const operatorSeq = new Sequence('c0000001');
const passageSeq = new Sequence('c0000002');
const assignmentSeq = new Sequence('c0000003');

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
    createdBy: 'test-factory',
    createdAt: testInstant(0),
    updatedBy: null,
    updatedAt: null,
    closedBy: null,
    closedAt: null,
    closeReason: null,
    ...overrides,
  });
  await ds.getRepository(CheckpointRow).insert(row);
  return row;
}

/** The n-th test operator's user id (the organisations subgraph's `User` id). */
export function testOperatorId(n: number): string {
  return operatorSeq.uuid(n);
}

/** Assigns a user to a checkpoint, by default from `testInstant(0)`, open. */
export async function insertOperatorAssignment(
  ds: DataSource,
  values: Pick<CheckpointOperatorRow, 'checkpointId' | 'userId'> & Partial<CheckpointOperatorRow>,
): Promise<CheckpointOperatorRow> {
  const row = ds.getRepository(CheckpointOperatorRow).create({
    id: assignmentSeq.uuid(assignmentSeq.next()),
    assignedBy: 'test-factory',
    assignedAt: testInstant(0),
    removedBy: null,
    removedAt: null,
    ...values,
  });
  await ds.getRepository(CheckpointOperatorRow).insert(row);
  return row;
}

/**
 * Inserts a passage of test person n (n = the sequence number unless `citizenRef` is given) at a
 * checkpoint: by default an allowed entry by personal QR at `scannedAt`, from a test device.
 */
export async function insertPassage(
  ds: DataSource,
  values: Pick<PassageRow, 'checkpointId' | 'scannedAt'> & Partial<PassageRow>,
): Promise<PassageRow> {
  const n = passageSeq.next();
  const row = ds.getRepository(PassageRow).create({
    id: passageSeq.uuid(n),
    citizenRef: testCitizenRef(n),
    direction: 'IN',
    credentialType: 'PERSONAL_QR',
    movementDeclarationId: null,
    vehiclePlate: null,
    decision: 'ALLOWED',
    reason: null,
    operatorUserId: null,
    deviceId: 'test-device',
    devicePassageId: `test-${n}`,
    receivedAt: values.scannedAt,
    recordedBy: 'test-factory',
    ...values,
  });
  await ds.getRepository(PassageRow).insert(row);
  return row;
}

/**
 * Assigns a seeded user (by default the checkpoint officer dev-checkpoint-01, province 01) to a
 * checkpoint by user id and subject, so that they may record passages there.
 */
export async function assignSeededOperator(
  ds: DataSource,
  checkpointId: string,
  subject: (typeof DEMO_USER_SUBJECTS)[number] = 'dev-checkpoint-01',
): Promise<CheckpointOperatorRow> {
  return insertOperatorAssignment(ds, { checkpointId, userId: demoUserId(subject), operatorSubject: subject });
}
