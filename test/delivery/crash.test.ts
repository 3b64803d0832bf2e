import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { insertCheckpoint, insertPassage } from '../factories/checkpoints';
import { insertMovement } from '../factories/movement';
import { runTs, type Proc } from '../processes';
import { startStack, type Stack } from '../stack';
import { committedIds, createConsumer, deliveryRows, eventually, Receiver, workerEnv } from './harness';

/**
 * At least once across a crash: the worker runs as its own process (as `npm start` runs it), is
 * killed with SIGKILL while a batch is in flight, and restarted. The receiver, de-duplicating by
 * event id, ends with exactly the committed events of the consumer's jurisdiction.
 */

let stack: Stack;
let keyDir: string;
let receiver: Receiver;
const workers: Proc[] = [];

beforeAll(async () => {
  keyDir = await mkdtemp(join(tmpdir(), 'delivery-keys-'));
  stack = await startStack({ demo: true, keyDir });
});
afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.exited));
  await receiver?.close();
  await stack?.stop();
  await rm(keyDir, { recursive: true, force: true });
});

const startWorkerProcess = async (): Promise<Proc> => {
  const w = runTs(
    'delivery/main.ts',
    [],
    workerEnv(stack, {
      DELIVERY_BATCH_SIZE: '5',
      DELIVERY_POLL_MS: '50',
      DELIVERY_IDLE_MS: '100',
      DELIVERY_TIMEOUT_MS: '3000',
      // a killed worker's claim is taken over when its lease ends
      DELIVERY_LEASE_MS: '7000',
      DELIVERY_BACKOFF_BASE_MS: '50',
      DELIVERY_BACKOFF_MAX_MS: '500',
    }),
  );
  workers.push(w);
  await w.waitFor(/delivery worker running/);
  return w;
};

test('a worker killed mid-batch and restarted delivers every committed event at least once, nothing else', async () => {
  const types = { checkpoints: ['Passage', 'Checkpoint'], movement: ['MovementDeclaration'] };
  const cp79 = await insertCheckpoint(stack.db.checkpoints, { provinceCode: '79', districtCode: null, wardCode: null });
  const cp01 = await insertCheckpoint(stack.db.checkpoints, { provinceCode: '01', districtCode: null, wardCode: null });
  const write = async () => {
    await insertPassage(stack.db.checkpoints, { checkpointId: cp79.id, scannedAt: new Date() });
    await insertPassage(stack.db.checkpoints, { checkpointId: cp01.id, scannedAt: new Date() });
    await insertMovement(stack.db.movement);
  };
  await write();

  // the third batch is held open: the worker is inside it when it is killed
  receiver = await Receiver.start((n) => (n === 3 ? 'hold' : 200));
  const consumerId = await createConsumer(stack, {
    role: 'data_consumer',
    unitCode: '79',
    entityTypes: [...types.checkpoints, ...types.movement],
    receiver,
  });
  const first = await startWorkerProcess();
  await receiver.waitFor(() => receiver.holding === 1, 'a batch in flight');
  await write(); // committed while the batch is in flight
  const held = receiver.requests[2]!.events.map((e) => e.id);
  expect(held.length).toBeGreaterThan(0);
  first.child.kill('SIGKILL');
  await first.exited;
  await write(); // committed while no worker runs
  expect(held.some((id) => receiver.accepted.has(id))).toBe(false);

  receiver.behaviour = () => 200;
  const second = await startWorkerProcess();
  const expected = [
    ...(await committedIds(stack, 'checkpoints', types.checkpoints, '79')),
    ...(await committedIds(stack, 'movement', types.movement, '79')),
  ];
  await receiver.waitFor(() => expected.every((id) => receiver.accepted.has(id)), 'every committed event', 90_000);
  await eventually(
    () => deliveryRows(stack, consumerId),
    (rows) => rows.length === 2 && rows.every((r) => r.oldest_pending_at === null && r.state === 'ACTIVE'),
    'both feeds caught up',
  );

  // exactly the committed set of province 79, every delivery signed; the held batch came again
  expect(new Set(receiver.accepted.keys())).toEqual(new Set(expected));
  expect(receiver.requests.every((r) => r.verification.valid)).toBe(true);
  expect(held.every((id) => receiver.accepted.has(id) && receiver.seen.get(id)! >= 2)).toBe(true);
  const rows = await deliveryRows(stack, consumerId);
  expect(rows.reduce((n, r) => n + Number(r.delivered_events), 0)).toBeGreaterThanOrEqual(expected.length);

  // a graceful stop: SIGTERM ends the worker with code 0
  second.child.kill('SIGTERM');
  expect(await second.exited).toBe(0);
});
