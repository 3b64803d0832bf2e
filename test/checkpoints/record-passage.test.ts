import type { CheckpointRow } from '../../subgraphs/checkpoints/entities';
import {
  assignSeededOperator,
  insertCheckpoint,
  insertOperatorAssignment,
  testOperatorId,
} from '../factories/checkpoints';
import { testCitizenDocumentNumber, testCitizenRef } from '../factories/citizens';
import { startStack, type Stack } from '../stack';
import { ago, count, DAY, expectError, HOUR } from './helpers';

/*
 * recordPassage through the gateway: what is stored (a pseudonym, never the document number), every
 * input rule (code, field, nothing written), the checkpoint's state and period, operators, and
 * idempotency keys (replay, different input, concurrent calls).
 */

let stack: Stack;
let cp: CheckpointRow;

/** A checkpoint in province 01 assigned to the officer (dev-checkpoint-01), who records only there. */
async function officersCheckpoint(values: Partial<CheckpointRow>): Promise<CheckpointRow> {
  const c = await insertCheckpoint(stack.db.checkpoints, values);
  await assignSeededOperator(stack.db.checkpoints, c.id);
  return c;
}

beforeAll(async () => {
  stack = await startStack();
  cp = await officersCheckpoint({ provinceCode: '01', districtCode: null, wardCode: null });
  await insertOperatorAssignment(stack.db.checkpoints, { checkpointId: cp.id, userId: testOperatorId(1) });
});
afterAll(async () => {
  await stack.stop();
});

const RECORD = `mutation($input: PassageInput!, $key: String) {
  recordPassage(input: $input, idempotencyKey: $key) {
    id citizen { ref } checkpoint { id } direction scannedAt credentialType movementDeclaration { id }
    vehiclePlate decision reason operator { id } deviceId devicePassageId receivedAt
  }
}`;
interface Recorded {
  recordPassage: { id: string; receivedAt: string; citizen: { ref: string } } & Record<string, unknown>;
}

const officer = () => stack.as('dev-checkpoint-01');
const passages = () => count(stack.db.checkpoints, 'passage');

/** A valid input for the file's checkpoint: test person n, an hour ago. */
const input = (n: number, overrides: Record<string, unknown> = {}) => ({
  checkpointId: cp.id,
  citizenRef: testCitizenRef(n),
  direction: 'IN',
  scannedAt: ago(HOUR).toISOString(),
  credentialType: 'PERSONAL_QR',
  decision: 'ALLOWED',
  ...overrides,
});

test('records a scan by identity document: only the pseudonym is stored; the server sets receivedAt', async () => {
  const number = testCitizenDocumentNumber(301);
  const before = new Date();
  const res = await officer().query<Recorded>(RECORD, {
    input: input(0, {
      citizenRef: undefined,
      document: { type: 'CCCD', number: `${number.slice(0, 6)} ${number.slice(6)}` },
      direction: 'OUT',
      credentialType: 'CHIP_ID_CARD',
      vehiclePlate: ' 29a-123.45 ',
      decision: 'REFERRED_TO_TESTING',
      reason: 'Sốt 38,5°C',
      operatorId: testOperatorId(1),
      movementDeclarationId: 'de300000-0000-4000-8200-000000000001',
      deviceId: 'scanner-92-01',
      devicePassageId: 'scan-000301',
    }),
  });
  expect(res.body.errors).toBeUndefined();
  const p = res.body.data!.recordPassage;
  expect(p).toMatchObject({
    citizen: { ref: testCitizenRef(301) },
    checkpoint: { id: cp.id },
    direction: 'OUT',
    credentialType: 'CHIP_ID_CARD',
    vehiclePlate: '29A-123.45',
    decision: 'REFERRED_TO_TESTING',
    reason: 'Sốt 38,5°C',
    operator: { id: testOperatorId(1) },
    movementDeclaration: { id: 'de300000-0000-4000-8200-000000000001' },
    deviceId: 'scanner-92-01',
    devicePassageId: 'scan-000301',
  });
  expect(new Date(p.receivedAt).getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
  const stored = await stack.db.checkpoints.query(
    `SELECT recorded_by, row_to_json(p)::text AS json FROM passage p WHERE id = $1`,
    [p.id],
  );
  expect(stored[0].recorded_by).toBe('dev-checkpoint-01');
  expect(stored[0].json).not.toContain(number);
});

test('records a scan by pseudonym with the fewest fields', async () => {
  const res = await officer().query<Recorded>(RECORD, { input: input(302) });
  expect(res.body.errors).toBeUndefined();
  expect(res.body.data!.recordPassage).toMatchObject({
    citizen: { ref: testCitizenRef(302) },
    vehiclePlate: null,
    reason: null,
    operator: null,
    movementDeclaration: null,
    deviceId: null,
    devicePassageId: null,
  });
});

describe('every input rule is BAD_USER_INPUT naming the field, and nothing is written', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['checkpointId not a UUID', { checkpointId: 'gate-1' }, 'checkpointId'],
    ['unknown checkpoint', { checkpointId: '00000000-0000-4000-8000-000000000000' }, 'checkpointId'],
    [
      'both citizenRef and document',
      { document: { type: 'CCCD', number: testCitizenDocumentNumber(1) } },
      'citizenRef',
    ],
    ['neither citizenRef nor document', { citizenRef: null }, 'citizenRef'],
    ['a raw number as citizenRef', { citizenRef: testCitizenDocumentNumber(1) }, 'citizenRef'],
    ['a CCCD of 11 digits', { citizenRef: null, document: { type: 'CCCD', number: '00109901234' } }, 'document.number'],
    [
      'a CCCD whose birth province does not exist',
      { citizenRef: null, document: { type: 'CCCD', number: '099099012345' } },
      'document.number',
    ],
    [
      'a passport without country',
      { citizenRef: null, document: { type: 'PASSPORT', number: 'B1234567' } },
      'document.country',
    ],
    ['scannedAt in the future', { scannedAt: new Date(Date.now() + HOUR * 60_000).toISOString() }, 'scannedAt'],
    ['scannedAt older than 30 days', { scannedAt: ago(31 * DAY).toISOString() }, 'scannedAt'],
    ['movementDeclarationId not a UUID', { movementDeclarationId: 'MD-1' }, 'movementDeclarationId'],
    ['a plate of symbols', { vehiclePlate: '#$%^&' }, 'vehiclePlate'],
    ['TURNED_BACK without reason', { decision: 'TURNED_BACK' }, 'reason'],
    ['REFERRED_TO_QUARANTINE with a blank reason', { decision: 'REFERRED_TO_QUARANTINE', reason: '  ' }, 'reason'],
    ['a reason over 500 characters', { reason: 'x'.repeat(501) }, 'reason'],
    ['operatorId not a UUID', { operatorId: 'dev-checkpoint-01' }, 'operatorId'],
    ['an operator not assigned to the checkpoint', { operatorId: testOperatorId(99) }, 'operatorId'],
    ['deviceId without devicePassageId', { deviceId: 'scanner-1' }, 'devicePassageId'],
    ['devicePassageId without deviceId', { devicePassageId: 'scan-1' }, 'deviceId'],
    ['a deviceId with spaces', { deviceId: 'scanner 1', devicePassageId: 'scan-1' }, 'deviceId'],
  ];
  test.each(cases)('%s', async (_, overrides, field) => {
    const before = await passages();
    expectError(await officer().query(RECORD, { input: input(310, overrides) }), 'BAD_USER_INPUT', field);
    expect(await passages()).toBe(before);
  });

  test('an idempotency key of the wrong shape', async () => {
    const before = await passages();
    expectError(await officer().query(RECORD, { input: input(311), key: 'short' }), 'BAD_USER_INPUT', 'idempotencyKey');
    expect(await passages()).toBe(before);
  });
});

describe('the checkpoint must accept passages at the scan', () => {
  test('outside its active period: BAD_USER_INPUT on scannedAt', async () => {
    const later = await officersCheckpoint({ provinceCode: '01', activeFrom: ago(2 * DAY) });
    const ended = await officersCheckpoint({ provinceCode: '01', activeTo: ago(2 * DAY) });
    const before = await passages();
    for (const [checkpointId, scannedAt, rule] of [
      [later.id, ago(3 * DAY), /before the checkpoint's active period/],
      [ended.id, ago(DAY), /after the checkpoint's active period/],
    ] as const) {
      const res = await officer().query(RECORD, { input: input(320, { checkpointId, scannedAt }) });
      expectError(res, 'BAD_USER_INPUT', 'scannedAt', rule);
    }
    expect(await passages()).toBe(before);
  });

  test('closed or suspended: CONFLICT on checkpointId', async () => {
    const closed = await officersCheckpoint({ provinceCode: '01', status: 'CLOSED' });
    const suspended = await officersCheckpoint({ provinceCode: '01', status: 'SUSPENDED' });
    const before = await passages();
    expectError(
      await officer().query(RECORD, { input: input(321, { checkpointId: closed.id }) }),
      'CONFLICT',
      'checkpointId',
      /closed/,
    );
    expectError(
      await officer().query(RECORD, { input: input(321, { checkpointId: suspended.id }) }),
      'CONFLICT',
      'checkpointId',
      /suspended/,
    );
    expect(await passages()).toBe(before);
  });

  test('the operator must have been assigned at the scan (removal later does not matter)', async () => {
    const gate = await officersCheckpoint({ provinceCode: '01' });
    await insertOperatorAssignment(stack.db.checkpoints, {
      checkpointId: gate.id,
      userId: testOperatorId(2),
      assignedAt: ago(3 * DAY),
      removedAt: ago(DAY),
      removedBy: 'dev-health-01',
    });
    const at = (scannedAt: Date) => input(322, { checkpointId: gate.id, operatorId: testOperatorId(2), scannedAt });
    expectError(await officer().query(RECORD, { input: at(ago(4 * DAY)) }), 'BAD_USER_INPUT', 'operatorId');
    expectError(await officer().query(RECORD, { input: at(ago(HOUR)) }), 'BAD_USER_INPUT', 'operatorId');
    const during = await officer().query<Recorded>(RECORD, { input: at(ago(2 * DAY)) });
    expect(during.body.errors).toBeUndefined();
    expect(during.body.data!.recordPassage.operator).toEqual({ id: testOperatorId(2) });
  });
});

test('a device id already stored is a CONFLICT on devicePassageId', async () => {
  const device = { deviceId: 'scanner-92-02', devicePassageId: 'scan-1' };
  const first = await officer().query<Recorded>(RECORD, { input: input(330, device) });
  expect(first.body.errors).toBeUndefined();
  const before = await passages();
  expectError(await officer().query(RECORD, { input: input(331, device) }), 'CONFLICT', 'devicePassageId');
  expect(await passages()).toBe(before);
});

describe('idempotency keys', () => {
  test('a replay returns the first passage and stores nothing', async () => {
    const key = 'replay-0001';
    const first = await officer().query<Recorded>(RECORD, { input: input(340), key });
    const before = await passages();
    const again = await officer().query<Recorded>(RECORD, { input: input(340), key });
    expect(again.body.errors).toBeUndefined();
    expect(again.body.data!.recordPassage).toEqual(first.body.data!.recordPassage);
    expect(await passages()).toBe(before);
  });

  test('a document and the pseudonym it gives are the same input', async () => {
    const key = 'replay-0002';
    const byDocument = input(341, {
      citizenRef: undefined,
      document: { type: 'CCCD', number: testCitizenDocumentNumber(341) },
    });
    const first = await officer().query<Recorded>(RECORD, { input: byDocument, key });
    const again = await officer().query<Recorded>(RECORD, { input: input(341), key });
    expect(again.body.errors).toBeUndefined();
    expect(again.body.data!.recordPassage.id).toBe(first.body.data!.recordPassage.id);
  });

  test('the same key with another input is a CONFLICT and stores nothing', async () => {
    const key = 'replay-0003';
    await officer().query<Recorded>(RECORD, { input: input(342), key });
    const before = await passages();
    const res = await officer().query(RECORD, { input: input(342, { direction: 'OUT' }), key });
    expectError(res, 'CONFLICT', 'idempotencyKey');
    expect(await passages()).toBe(before);
  });

  test('concurrent calls with one key store one passage and all answer it', async () => {
    const key = 'concurrent-0001';
    const before = await passages();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => officer().query<Recorded>(RECORD, { input: input(343), key })),
    );
    const ids = new Set(results.map((r) => r.body.data?.recordPassage.id));
    expect(results.map((r) => r.body.errors)).toEqual(results.map(() => undefined));
    expect(ids.size).toBe(1);
    expect(await passages()).toBe(before + 1);
  });
});

test('recording needs passages:write', async () => {
  const before = await passages();
  const res = await stack.as('dev-health-01').query(RECORD, { input: input(350) });
  expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
  expect(await passages()).toBe(before);
});
