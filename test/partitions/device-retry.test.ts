import type { CheckpointRow } from '../../subgraphs/checkpoints/entities';
import { PASSAGE_PARTITIONS } from '../../subgraphs/checkpoints/retention';
import { ensurePartitions } from '../../subgraphs/kit/partitions';
import { assignSeededOperator, insertCheckpoint } from '../factories/checkpoints';
import { testCitizenRef } from '../factories/citizens';
import { ago, count, DAY, HOUR } from '../checkpoints/helpers';
import { startStack, type Stack } from '../stack';

/*
 * With `passage` partitioned by day, its device key is (device_id, device_passage_id, scanned_at):
 * a retried sync (the same scan time) still hits it, and a device id sent again with another scan
 * time — another day, another partition — is found by the write path under the device's lock. Either
 * way a device's scan is stored once.
 */

let stack: Stack;
let open: CheckpointRow;
beforeAll(async () => {
  stack = await startStack();
  await ensurePartitions(stack.db.checkpoints, PASSAGE_PARTITIONS, ago(3 * DAY), new Date());
  open = await insertCheckpoint(stack.db.checkpoints, { provinceCode: '01', districtCode: null, wardCode: null });
  await assignSeededOperator(stack.db.checkpoints, open.id);
});
afterAll(async () => {
  await stack.stop();
});

const BATCH = `mutation($device: String!, $passages: [BatchPassageInput!]!) {
  recordPassagesBatch(deviceId: $device, passages: $passages) { stored duplicates rejected items { outcome passage { id } } }
}`;
interface BatchResult {
  recordPassagesBatch: {
    stored: number;
    duplicates: number;
    rejected: number;
    items: { outcome: string; passage: { id: string } | null }[];
  };
}
const officer = () => stack.as('dev-checkpoint-01');
const ofDevice = (deviceId: string) => count(stack.db.checkpoints, 'passage', 'device_id = $1', [deviceId]);
const item = (id: string, n: number, scannedAt: Date) => ({
  devicePassageId: id,
  checkpointId: open.id,
  citizenRef: testCitizenRef(n),
  direction: 'IN',
  scannedAt: scannedAt.toISOString(),
  credentialType: 'PRINTED_QR',
  decision: 'ALLOWED',
});
const sync = async (device: string, passages: unknown[]) => {
  const res = await officer().query<BatchResult>(BATCH, { device, passages });
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.recordPassagesBatch;
};

test('a retried sync, across days and partitions, stores nothing twice', async () => {
  // whole days apart: three Viet Nam days (three partitions) at whatever time of day the test runs
  const batch = [item('d-0', 500, ago(HOUR)), item('d-1', 501, ago(DAY + HOUR)), item('d-2', 502, ago(2 * DAY + HOUR))];
  const first = await sync('retry-days', batch);
  expect(first).toMatchObject({ stored: 3, duplicates: 0, rejected: 0 });
  const parts = (await stack.db.checkpoints.query(
    `SELECT DISTINCT tableoid::regclass::text AS t FROM passage WHERE device_id = 'retry-days'`,
  )) as { t: string }[];
  expect(parts).toHaveLength(3);

  const again = await sync('retry-days', batch);
  expect(again).toMatchObject({ stored: 0, duplicates: 3, rejected: 0 });
  expect(again.items.map((i) => i.passage!.id)).toEqual(first.items.map((i) => i.passage!.id));
  expect(await ofDevice('retry-days')).toBe(3);
});

test('the same device ids with other scan times (other partitions) are duplicates, not new passages', async () => {
  const batch = [item('e-0', 510, ago(HOUR)), item('e-1', 511, ago(HOUR + 1))];
  const first = await sync('retry-shifted', batch);
  expect(first.stored).toBe(2);
  const shifted = [item('e-0', 510, ago(2 * DAY)), item('e-1', 511, ago(DAY))];
  const again = await sync('retry-shifted', shifted);
  expect(again).toMatchObject({ stored: 0, duplicates: 2 });
  expect(again.items.map((i) => i.passage!.id)).toEqual(first.items.map((i) => i.passage!.id));
  expect(await ofDevice('retry-shifted')).toBe(2);
});

test('two concurrent syncs of one device, with different scan times, store each device id once', async () => {
  const a = Array.from({ length: 20 }, (_, i) => item(`c-${i}`, 520 + i, ago(HOUR + i)));
  const b = Array.from({ length: 20 }, (_, i) => item(`c-${i}`, 520 + i, ago(DAY + HOUR + i)));
  const [ra, rb] = await Promise.all([sync('race-days', a), sync('race-days', b)]);
  expect(ra.stored + rb.stored).toBe(20);
  expect(ra.duplicates + rb.duplicates).toBe(20);
  expect(await ofDevice('race-days')).toBe(20);
});
