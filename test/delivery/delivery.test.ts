import { insertCheckpoint, insertPassage } from '../factories/checkpoints';
import { insertDeclaration } from '../factories/declarations';
import { insertMovement } from '../factories/movement';
import { UNITS } from '../factories/sequence';
import { startStack, type Stack } from '../stack';
import {
  committedIds,
  createConsumer,
  deliveryRows,
  eventually,
  Receiver,
  startWorker,
  type Behaviour,
  type DeliveryRow,
} from './harness';

/**
 * Webhook delivery (docs/WEBHOOKS.md) with the worker in this process: retries and the dead letter,
 * independence of consumers, and payloads that follow each consumer's jurisdiction and field rules.
 * Waits are bounded polls on what the receivers got; nothing asserts on speed.
 */

let stack: Stack;
let worker: ReturnType<typeof startWorker>;
const receivers: Receiver[] = [];
const receiver = async (behaviour?: Behaviour) => {
  const r = await Receiver.start(behaviour);
  receivers.push(r);
  return r;
};

beforeAll(async () => {
  stack = await startStack({ demo: true });
  worker = startWorker(stack);
});
afterAll(async () => {
  await worker?.stop();
  for (const r of receivers) await r.close();
  await stack?.stop();
});

const hasAll = (r: Receiver, ids: string[]) => () => ids.every((id) => r.accepted.has(id));
const rowOf = async (consumerId: string): Promise<DeliveryRow> => (await deliveryRows(stack, consumerId))[0]!;

describe('retries, dead letter and independence', () => {
  test('a slow receiver and a failing one do not hold back a healthy one; a flaky one gets everything', async () => {
    const cp = await insertCheckpoint(stack.db.checkpoints, { provinceCode: '79', districtCode: null, wardCode: null });
    for (let i = 0; i < 7; i += 1)
      await insertPassage(stack.db.checkpoints, { checkpointId: cp.id, scannedAt: new Date() });

    // stuck: its first batch is held open (a slow receiver), then it answers 500 (a failing one)
    const stuck = await receiver((n) => (n === 1 ? 'hold' : 500));
    const stuckId = await createConsumer(stack, {
      role: 'health_official',
      unitCode: '79',
      entityTypes: ['Passage'],
      receiver: stuck,
    });
    await stuck.waitFor(() => stuck.holding === 1, 'the slow batch');

    const healthy = await receiver();
    const flaky = await receiver((n) => (n <= 3 ? 503 : 200));
    const healthyId = await createConsumer(stack, {
      role: 'health_official',
      unitCode: '79',
      entityTypes: ['Passage'],
      receiver: healthy,
    });
    const flakyId = await createConsumer(stack, {
      role: 'health_official',
      unitCode: '79',
      entityTypes: ['Passage'],
      receiver: flaky,
    });
    const expected = await committedIds(stack, 'checkpoints', ['Passage'], '79');
    expect(expected.length).toBeGreaterThan(7);

    await healthy.waitFor(hasAll(healthy, expected), 'the healthy receiver to get every event');
    // …while the stuck consumer's first batch was still open, and its lag visible
    expect(stuck.holding).toBe(1);
    expect((await rowOf(stuckId)).oldest_pending_at).not.toBeNull();
    await flaky.waitFor(hasAll(flaky, expected), 'the flaky receiver to get every event');
    expect(flaky.requests.slice(0, 3).map((r) => r.status)).toEqual([503, 503, 503]);

    // every delivery was signed; the receivers got nothing outside province 79
    for (const r of [healthy, flaky, stuck]) {
      expect(r.requests.every((q) => q.verification.valid)).toBe(true);
      expect([...r.accepted.values()].every((e) => e.unitCodes.includes('79'))).toBe(true);
    }
    expect(healthy.accepted.size).toBe(expected.length);
    const healthyRow = await eventually(
      () => rowOf(healthyId),
      (r) => r.oldest_pending_at === null,
      'no lag',
    );
    expect(healthyRow).toMatchObject({ feed: 'checkpoints', state: 'ACTIVE', failures: 0, last_error: null });
    expect(Number(healthyRow.delivered_events)).toBeGreaterThanOrEqual(expected.length);
    expect(healthyRow.last_delivered_at).not.toBeNull();
    const flakyRow = await eventually(
      () => rowOf(flakyId),
      (r) => r.failures === 0,
      'the flaky consumer recovered',
    );
    expect(flakyRow).toMatchObject({ state: 'ACTIVE', last_error: null });

    // the slow batch finally fails, and so does every retry: dead letter after DELIVERY_MAX_FAILURES (4)
    stuck.release(500);
    const dead = await eventually(
      () => rowOf(stuckId),
      (r) => r.state === 'DEAD_LETTER',
      'the dead letter',
    );
    expect(dead).toMatchObject({ failures: 4, last_error: 'HTTP 500', next_attempt_at: null });
    expect(dead.dead_lettered_at).not.toBeNull();
    expect(dead.oldest_pending_at).not.toBeNull();
    expect(stuck.accepted.size).toBe(0);
    const attempts = stuck.requests.length;
    expect(attempts).toBe(4);

    // an admin re-delivers (as redeliverChangeConsumer does): it resumes from its cursor and gets everything
    stuck.behaviour = () => 200;
    await stack.db.organisations.query(
      `UPDATE change_delivery SET state = 'ACTIVE', failures = 0, next_attempt_at = NULL, dead_lettered_at = NULL
        WHERE consumer_id = $1`,
      [stuckId],
    );
    await stuck.waitFor(hasAll(stuck, expected), 'the re-delivered consumer to get every event');
    expect(stuck.requests.length).toBeGreaterThan(attempts);
    expect(
      await eventually(
        () => rowOf(stuckId),
        (r) => r.oldest_pending_at === null,
        'no lag',
      ),
    ).toMatchObject({
      state: 'ACTIVE',
      failures: 0,
    });
  });
});

describe('payloads follow the consumer', () => {
  test('a province-79 consumer gets 79 and nothing of 01; without pii:read identity values are masked', async () => {
    const db = stack.db;
    const cp79 = await insertCheckpoint(db.checkpoints, { provinceCode: '79', districtCode: null, wardCode: null });
    const cp01 = await insertCheckpoint(db.checkpoints, { provinceCode: '01', districtCode: null, wardCode: null });
    await insertPassage(db.checkpoints, { checkpointId: cp79.id, scannedAt: new Date(), vehiclePlate: '51A-123.45' });
    await insertPassage(db.checkpoints, { checkpointId: cp01.id, scannedAt: new Date(), vehiclePlate: '29A-678.90' });
    await insertMovement(db.movement); // Hà Nội → HCMC: concerns both provinces
    await insertMovement(db.movement, {
      destinationProvinceCode: UNITS.haNoi.province,
      destinationDistrictCode: UNITS.haNoi.district,
      destinationWardCode: UNITS.haNoi.ward,
    }); // within Hà Nội only
    const hcm = UNITS.hoChiMinh;
    const declaration = await insertDeclaration(db.declarations, {
      provinceCode: hcm.province,
      districtCode: hcm.district,
      wardCode: hcm.ward,
    });

    const types = ['Passage', 'MovementDeclaration', 'HealthDeclaration'];
    const clear = await receiver();
    const masked = await receiver();
    await createConsumer(stack, {
      role: 'data_consumer_personal',
      unitCode: '79',
      entityTypes: types,
      receiver: clear,
    });
    const maskedId = await createConsumer(stack, {
      role: 'data_consumer',
      unitCode: '79',
      entityTypes: types,
      receiver: masked,
    });

    const expected = [
      ...(await committedIds(stack, 'checkpoints', ['Passage'], '79')),
      ...(await committedIds(stack, 'movement', ['MovementDeclaration'], '79')),
      ...(await committedIds(stack, 'declarations', ['HealthDeclaration'], '79')),
    ];
    for (const r of [clear, masked]) await r.waitFor(hasAll(r, expected), 'every 79 event');
    expect((await deliveryRows(stack, maskedId)).map((r) => r.feed)).toEqual([
      'checkpoints',
      'declarations',
      'movement',
    ]);

    for (const r of [clear, masked]) {
      expect(new Set(r.accepted.keys())).toEqual(new Set(expected));
      expect([...r.accepted.values()].filter((e) => !e.unitCodes.includes('79'))).toEqual([]);
      const entityIds = [...r.accepted.values()].map((e) => e.entityId);
      expect(entityIds).not.toContain(cp01.id);
    }

    const passageOf = (r: Receiver) =>
      [...r.accepted.values()].find((e) => e.entityType === 'Passage' && e.entity?.vehiclePlate !== undefined)
        ?.entity ?? [...r.accepted.values()].find((e) => e.entityType === 'Passage' && e.entity)?.entity;
    expect(passageOf(clear)).toMatchObject({ vehiclePlate: expect.any(String) });
    // a field the consumer may not read is not in its payload at all (not null, absent)
    expect(passageOf(masked)).not.toHaveProperty('vehiclePlate');

    const identityOf = (r: Receiver) =>
      [...r.accepted.values()].find((e) => e.entityId === declaration.id && e.entity)?.entity?.identity as {
        document: { number: string } | null;
        phone: string | null;
        fullName?: string;
      };
    const clearIdentity = identityOf(clear);
    const maskedIdentity = identityOf(masked);
    expect(clearIdentity.document!.number).not.toContain('*');
    expect(maskedIdentity.document!.number).toMatch(/^\d{4}\*+\d{2}$/);
    expect(maskedIdentity.document!.number).not.toBe(clearIdentity.document!.number);
    if (clearIdentity.phone) expect(maskedIdentity.phone).toMatch(/\*/);
    expect(clearIdentity.fullName).toEqual(expect.any(String));
    expect(maskedIdentity).not.toHaveProperty('fullName');
  });
});
