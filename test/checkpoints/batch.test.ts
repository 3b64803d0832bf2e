import type { CheckpointRow } from '../../subgraphs/checkpoints/entities';
import { assignSeededOperator, insertCheckpoint } from '../factories/checkpoints';
import { testCitizenDocumentNumber, testCitizenRef } from '../factories/citizens';
import { countStatements } from '../statement-counter';
import { startStack, type Stack } from '../stack';
import { ago, count, expectError, HOUR } from './helpers';

/*
 * Offline sync (recordPassagesBatch) through the gateway: valid items are stored while bad ones are
 * reported by index with their field and rule; a retried batch stores nothing twice; the size is
 * bounded; and the batch costs a fixed number of statements (one multi-row INSERT) whatever its size.
 */

let stack: Stack;
let open: CheckpointRow;
let closed: CheckpointRow;
let suspended: CheckpointRow;
beforeAll(async () => {
  stack = await startStack();
  // In the officer's province 01, and assigned to them: they record only where they are assigned.
  const at = { provinceCode: '01', districtCode: null, wardCode: null };
  open = await insertCheckpoint(stack.db.checkpoints, at);
  closed = await insertCheckpoint(stack.db.checkpoints, { ...at, status: 'CLOSED' });
  suspended = await insertCheckpoint(stack.db.checkpoints, { ...at, status: 'SUSPENDED' });
  for (const c of [open, closed, suspended]) await assignSeededOperator(stack.db.checkpoints, c.id);
});
afterAll(async () => {
  await stack.stop();
});

const BATCH = `mutation($device: String!, $passages: [BatchPassageInput!]!) {
  recordPassagesBatch(deviceId: $device, passages: $passages) {
    stored duplicates rejected
    items {
      index devicePassageId outcome error { code field rule }
      passage {
        id citizen { ref } checkpoint { id } direction scannedAt credentialType decision reason
        deviceId devicePassageId receivedAt
      }
    }
  }
}`;
interface Item {
  index: number;
  devicePassageId: string | null;
  outcome: 'STORED' | 'DUPLICATE' | 'REJECTED';
  passage: { id: string; citizen: { ref: string } } | null;
  error: { code: string; field: string; rule: string } | null;
}
interface BatchResult {
  recordPassagesBatch: { stored: number; duplicates: number; rejected: number; items: Item[] };
}

const officer = () => stack.as('dev-checkpoint-01');
const ofDevice = (deviceId: string) => count(stack.db.checkpoints, 'passage', 'device_id = $1', [deviceId]);

/** A valid item: test person n at the open checkpoint, `minutes` ago. */
const item = (id: string, n: number, overrides: Record<string, unknown> = {}) => ({
  devicePassageId: id,
  checkpointId: open.id,
  citizenRef: testCitizenRef(n),
  direction: 'IN',
  scannedAt: ago(HOUR + n).toISOString(),
  credentialType: 'PRINTED_QR',
  decision: 'ALLOWED',
  ...overrides,
});

const MIXED = () => [
  item('s-0', 400),
  item('s-1', 401, { scannedAt: new Date(Date.now() + 2 * HOUR * 60_000).toISOString() }),
  item('s-2', 402, { direction: 'OUT' }),
  item('s-3', 403, { checkpointId: '00000000-0000-4000-8000-000000000000' }),
  item('s-4', 404, { checkpointId: closed.id }),
  item('s-5', 405, { checkpointId: suspended.id }),
  item('s-6', 406, { decision: 'TURNED_BACK' }),
  item('s-0', 407),
  item('s 8', 408),
  item('s-9', 0, { citizenRef: null, document: { type: 'CCCD', number: testCitizenDocumentNumber(409) } }),
];

const REJECTED_MIXED = [
  { index: 1, code: 'BAD_USER_INPUT', field: 'scannedAt', rule: 'must not be in the future' },
  { index: 3, code: 'BAD_USER_INPUT', field: 'checkpointId', rule: 'no checkpoint has this id' },
  { index: 4, code: 'CONFLICT', field: 'checkpointId', rule: 'the checkpoint is closed and accepts no passages' },
  { index: 5, code: 'CONFLICT', field: 'checkpointId', rule: 'the checkpoint is suspended and accepts no passages' },
  { index: 6, code: 'BAD_USER_INPUT', field: 'reason', rule: 'is required when the decision is not ALLOWED' },
  { index: 7, code: 'BAD_USER_INPUT', field: 'devicePassageId', rule: 'repeats the devicePassageId of item 0' },
  { index: 8, code: 'BAD_USER_INPUT', field: 'devicePassageId', rule: 'must be 1 to 100 letters, digits or . _ : -' },
];

const rejections = (items: Item[]) =>
  items.filter((i) => i.outcome === 'REJECTED').map((i) => ({ index: i.index, ...i.error! }));

describe('a mixed batch', () => {
  let first: BatchResult['recordPassagesBatch'];

  test('stores the valid items and reports each bad one by index with its field and rule', async () => {
    const res = await officer().query<BatchResult>(BATCH, { device: 'sync-mixed', passages: MIXED() });
    expect(res.body.errors).toBeUndefined();
    first = res.body.data!.recordPassagesBatch;
    expect([first.stored, first.duplicates, first.rejected]).toEqual([3, 0, 7]);
    expect(first.items.map((i) => [i.index, i.devicePassageId, i.outcome])).toEqual([
      [0, 's-0', 'STORED'],
      [1, 's-1', 'REJECTED'],
      [2, 's-2', 'STORED'],
      [3, 's-3', 'REJECTED'],
      [4, 's-4', 'REJECTED'],
      [5, 's-5', 'REJECTED'],
      [6, 's-6', 'REJECTED'],
      [7, 's-0', 'REJECTED'],
      [8, null, 'REJECTED'],
      [9, 's-9', 'STORED'],
    ]);
    expect(rejections(first.items)).toEqual(REJECTED_MIXED);
    expect(first.items[9]!.passage!.citizen.ref).toBe(testCitizenRef(409));
    expect(await ofDevice('sync-mixed')).toBe(3);
  });

  test('retried, it stores nothing new: the stored items come back as duplicates of the same passages', async () => {
    const res = await officer().query<BatchResult>(BATCH, { device: 'sync-mixed', passages: MIXED() });
    const again = res.body.data!.recordPassagesBatch;
    expect([again.stored, again.duplicates, again.rejected]).toEqual([0, 3, 7]);
    // the stored items were answered from what was sent (with the id and time the server set), the
    // duplicates from the rows read back: every field the same
    for (const index of [0, 2, 9]) {
      expect(again.items[index]).toEqual({ ...first.items[index]!, outcome: 'DUPLICATE' });
      expect(Object.keys(again.items[index]!.passage!)).toHaveLength(11);
    }
    expect(rejections(again.items)).toEqual(REJECTED_MIXED);
    expect(await ofDevice('sync-mixed')).toBe(3);
  });

  test('retried after its checkpoint closed, the stored items are still duplicates, not rejections', async () => {
    const gate = await insertCheckpoint(stack.db.checkpoints, { provinceCode: '01' });
    await assignSeededOperator(stack.db.checkpoints, gate.id);
    const batch = [item('c-0', 410, { checkpointId: gate.id }), item('c-1', 411, { checkpointId: gate.id })];
    await officer().query<BatchResult>(BATCH, { device: 'sync-closing', passages: batch });
    await stack.db.checkpoints.query(`UPDATE checkpoint SET status = 'CLOSED' WHERE id = $1`, [gate.id]);
    const res = await officer().query<BatchResult>(BATCH, { device: 'sync-closing', passages: batch });
    expect(res.body.data!.recordPassagesBatch.items.map((i) => i.outcome)).toEqual(['DUPLICATE', 'DUPLICATE']);
  });
});

test('the same device ids from another device are new passages', async () => {
  const batch = [item('x-0', 420)];
  await officer().query(BATCH, { device: 'sync-a', passages: batch });
  const res = await officer().query<BatchResult>(BATCH, { device: 'sync-b', passages: batch });
  expect(res.body.data!.recordPassagesBatch.items[0]!.outcome).toBe('STORED');
});

test('two concurrent syncs of one batch store each passage once', async () => {
  const batch = Array.from({ length: 40 }, (_, i) => item(`r-${i}`, 430 + i));
  const [a, b] = await Promise.all([
    officer().query<BatchResult>(BATCH, { device: 'sync-race', passages: batch }),
    officer().query<BatchResult>(BATCH, { device: 'sync-race', passages: batch }),
  ]);
  const ra = a.body.data!.recordPassagesBatch;
  const rb = b.body.data!.recordPassagesBatch;
  expect(ra.stored + rb.stored).toBe(40);
  expect(ra.duplicates + rb.duplicates).toBe(40);
  for (let i = 0; i < 40; i++) expect(ra.items[i]!.passage!.id).toBe(rb.items[i]!.passage!.id);
  expect(await ofDevice('sync-race')).toBe(40);
});

describe('the batch as a whole', () => {
  const many = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => item(`${prefix}-${i}`, 1000 + i));

  test('1,000 items are stored with one INSERT and as many statements as 10 items', async () => {
    const counter = countStatements(stack.appDb.checkpoints);
    try {
      const small = await officer().query<BatchResult>(BATCH, { device: 'sync-10', passages: many(10, 'a') });
      expect(small.body.data!.recordPassagesBatch.stored).toBe(10);
      const smallStatements = [...counter.statements];
      counter.reset();
      const big = await officer().query<BatchResult>(BATCH, { device: 'sync-1000', passages: many(1000, 'b') });
      expect(big.body.errors).toBeUndefined();
      expect(big.body.data!.recordPassagesBatch.stored).toBe(1000);
      expect(counter.statements).toHaveLength(smallStatements.length);
      // One INSERT of passages (the audit trail's own record of the read is not this subgraph's data).
      expect(counter.statements.filter((s) => /^\s*INSERT INTO passage/.test(s))).toHaveLength(1);
    } finally {
      counter.restore();
    }
    expect(await ofDevice('sync-1000')).toBe(1000);
  });

  test('1,001 items are refused as a whole and nothing is written', async () => {
    const before = await count(stack.db.checkpoints, 'passage');
    const res = await officer().query(BATCH, { device: 'sync-1001', passages: many(1001, 'c') });
    expectError(res, 'BAD_USER_INPUT', 'passages', /at most 1000/);
    expect(await count(stack.db.checkpoints, 'passage')).toBe(before);
  });

  test('an empty batch or a bad device id is refused', async () => {
    expectError(await officer().query(BATCH, { device: 'sync-empty', passages: [] }), 'BAD_USER_INPUT', 'passages');
    expectError(await officer().query(BATCH, { device: '', passages: [item('d-0', 1)] }), 'BAD_USER_INPUT', 'deviceId');
  });

  test('needs passages:write', async () => {
    const res = await stack.as('dev-health-01').query(BATCH, { device: 'sync-x', passages: [item('e-0', 1)] });
    expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(await ofDevice('sync-x')).toBe(0);
  });
});
