import { demoInstant } from '../../subgraphs/kit/demo';
import { insertCheckpoint, insertOperatorAssignment, insertPassage, testOperatorId } from '../factories/checkpoints';
import { testCitizenRef } from '../factories/citizens';
import { insertDeclaration } from '../factories/declarations';
import { insertMovement } from '../factories/movement';
import { pageThrough } from '../subgraph-assertions';
import { startStack, type Stack } from '../stack';
import { ago, DAY, expectError, HOUR } from './helpers';

/*
 * Reads of the checkpoints subgraph through the gateway, joined with the other subgraphs: who
 * passed a checkpoint (names from declarations), a person's passages and the movement declarations
 * they showed (movement), contact tracing, load counts, and an organisation's checkpoints.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.stop();
});

/** A checkpoint of this file's own, in Hà Nội: the jurisdiction of dev-health-01 and dev-checkpoint-01. */
const checkpoint = (overrides: Parameters<typeof insertCheckpoint>[1] = {}) =>
  insertCheckpoint(stack.db.checkpoints, { provinceCode: '01', districtCode: null, wardCode: null, ...overrides });

/** Bulk and person-centric reads (passages, Citizen.passages, coPresence) declare a purpose. */
const PURPOSE = { purpose: 'epidemiological investigation' };

interface PassageNode {
  id: string;
  scannedAt: string;
  direction: string;
  citizen: { ref: string; identity: { fullName: string } | null } | null;
}
interface PassagePage {
  passages: {
    edges: { cursor: string; node: PassageNode }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}
const PASSAGES = `query($id: ID!, $from: DateTime, $to: DateTime, $first: Int, $after: String) {
  passages(checkpointId: $id, from: $from, to: $to, first: $first, after: $after) {
    edges { cursor node { id scannedAt direction citizen { ref identity { fullName } } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

describe('passages(checkpointId, from, to)', () => {
  test('lists who passed in [from, to), oldest first, with names resolved by the declarations subgraph', async () => {
    const cp = await checkpoint();
    const other = await checkpoint();
    const [an, binh, stranger] = [testCitizenRef(501), testCitizenRef(502), testCitizenRef(503)];
    await insertDeclaration(stack.db.declarations, { citizenRef: an, fullName: 'Lý Văn An' });
    await insertDeclaration(stack.db.declarations, { citizenRef: binh, fullName: 'Mai Thị Bình' });
    const from = ago(6 * HOUR);
    const to = ago(2 * HOUR);
    const atFrom = await insertPassage(stack.db.checkpoints, { checkpointId: cp.id, citizenRef: an, scannedAt: from });
    const second = await insertPassage(stack.db.checkpoints, {
      checkpointId: cp.id,
      citizenRef: binh,
      scannedAt: ago(4 * HOUR),
    });
    const third = await insertPassage(stack.db.checkpoints, {
      checkpointId: cp.id,
      citizenRef: stranger,
      scannedAt: ago(3 * HOUR),
      direction: 'OUT',
    });
    await insertPassage(stack.db.checkpoints, { checkpointId: cp.id, citizenRef: an, scannedAt: to }); // excluded
    await insertPassage(stack.db.checkpoints, { checkpointId: cp.id, citizenRef: an, scannedAt: ago(DAY) });
    await insertPassage(stack.db.checkpoints, { checkpointId: other.id, citizenRef: an, scannedAt: ago(5 * HOUR) });

    const res = await stack.as('dev-health-01', PURPOSE).query<PassagePage>(PASSAGES, { id: cp.id, from, to });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.passages.edges.map((e) => e.node)).toEqual([
      {
        id: atFrom.id,
        scannedAt: from.toISOString(),
        direction: 'IN',
        citizen: { ref: an, identity: { fullName: 'Lý Văn An' } },
      },
      {
        id: second.id,
        scannedAt: second.scannedAt.toISOString(),
        direction: 'IN',
        citizen: { ref: binh, identity: { fullName: 'Mai Thị Bình' } },
      },
      // Nobody has declared this person's identity: the name is null, the passage is still listed.
      { id: third.id, scannedAt: third.scannedAt.toISOString(), direction: 'OUT', citizen: expect.anything() },
    ]);
    expect(res.body.data!.passages.edges[2]!.node.citizen?.identity ?? null).toBeNull();
  });

  test('pages with resumable cursors; passages scanned at the same instant are ordered by id', async () => {
    const cp = await checkpoint();
    const at = ago(3 * HOUR);
    const inserted = [];
    for (let i = 0; i < 5; i++) {
      inserted.push(await insertPassage(stack.db.checkpoints, { checkpointId: cp.id, scannedAt: i < 3 ? at : ago(i) }));
    }
    const expected = [...inserted]
      .sort((a, b) => a.scannedAt.getTime() - b.scannedAt.getTime() || (a.id < b.id ? -1 : 1))
      .map((p) => p.id);
    const seen = await pageThrough(
      3,
      async (after) =>
        (await stack.as('dev-checkpoint-01', PURPOSE).query<PassagePage>(PASSAGES, { id: cp.id, first: 2, after })).body
          .data!.passages,
    );
    expect(seen.map((n) => n.id)).toEqual(expected);
  });

  test('defaults to the last 14 days and rejects bad arguments naming the field', async () => {
    const cp = await checkpoint();
    const recent = await insertPassage(stack.db.checkpoints, { checkpointId: cp.id, scannedAt: ago(13 * DAY) });
    await insertPassage(stack.db.checkpoints, { checkpointId: cp.id, scannedAt: ago(15 * DAY) });
    const res = await stack.as('dev-checkpoint-01', PURPOSE).query<PassagePage>(PASSAGES, { id: cp.id });
    expect(res.body.data!.passages.edges.map((e) => e.node.id)).toEqual([recent.id]);

    const as = stack.as('dev-checkpoint-01', PURPOSE);
    expectError(await as.query(PASSAGES, { id: 'not-a-uuid' }), 'BAD_USER_INPUT', 'checkpointId');
    expectError(await as.query(PASSAGES, { id: cp.id, from: ago(HOUR), to: ago(2 * HOUR) }), 'BAD_USER_INPUT', 'to');
    expectError(await as.query(PASSAGES, { id: cp.id, first: 201 }), 'BAD_USER_INPUT', 'first');
    expectError(await as.query(PASSAGES, { id: cp.id, after: 'bm9wZQ' }), 'BAD_USER_INPUT', 'after');
  });

  test('needs checkpoints:read', async () => {
    const cp = await checkpoint();
    const res = await stack.as('dev-analyst').query(PASSAGES, { id: cp.id });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

test("a person's passages, joined with the movement declaration each verified (movement subgraph)", async () => {
  const cp = await checkpoint({ name: 'Chốt Quán Toan' });
  const ref = testCitizenRef(520);
  const movement = await insertMovement(stack.db.movement, {
    citizenRef: ref,
    conveyanceId: '15A-123.45',
    mode: 'CAR',
  });
  const shown = await insertPassage(stack.db.checkpoints, {
    checkpointId: cp.id,
    citizenRef: ref,
    scannedAt: ago(2 * DAY),
    direction: 'OUT',
    movementDeclarationId: movement.id,
    vehiclePlate: '15A-123.45',
  });
  const later = await insertPassage(stack.db.checkpoints, {
    checkpointId: cp.id,
    citizenRef: ref,
    scannedAt: ago(DAY),
  });
  await insertPassage(stack.db.checkpoints, { checkpointId: cp.id, citizenRef: ref, scannedAt: ago(5 * DAY) });

  const res = await stack.as('dev-health-01', PURPOSE).query<{
    movement: { id: string; passages: { id: string }[]; citizen: { passages: unknown[] } };
  }>(
    `query($id: ID!, $since: DateTime) { movement(id: $id) {
      id
      passages { id }
      citizen { passages(since: $since) {
        id direction vehiclePlate checkpoint { name }
        movementDeclaration { id mode conveyanceId citizen { ref } }
      } }
    } }`,
    { id: movement.id, since: ago(3 * DAY) },
  );
  expect(res.body.errors).toBeUndefined();
  expect(res.body.data!.movement).toEqual({
    id: movement.id,
    passages: [{ id: shown.id }],
    citizen: {
      passages: [
        {
          id: later.id,
          direction: 'IN',
          vehiclePlate: null,
          checkpoint: { name: 'Chốt Quán Toan' },
          movementDeclaration: null,
        },
        {
          id: shown.id,
          direction: 'OUT',
          vehiclePlate: '15A-123.45',
          checkpoint: { name: 'Chốt Quán Toan' },
          movementDeclaration: { id: movement.id, mode: 'CAR', conveyanceId: '15A-123.45', citizen: { ref } },
        },
      ],
    },
  });
});

describe('coPresence', () => {
  const CO = `query($id: ID!, $ref: ID!, $minutes: Int!, $first: Int) {
    coPresence(checkpointId: $id, citizenRef: $ref, windowMinutes: $minutes, first: $first) {
      contacts { secondsApart passage { id citizen { ref } } near { id } }
      truncated
    }
  }`;

  test('finds who passed within the window around each of the person’s passages, nearest first', async () => {
    const cp = await checkpoint();
    const elsewhere = await checkpoint();
    const person = testCitizenRef(530);
    const t0 = ago(2 * DAY);
    const t1 = ago(DAY);
    const at = (t: Date, minutes: number) => new Date(t.getTime() + minutes * 60_000);
    const mine0 = await insertPassage(stack.db.checkpoints, { checkpointId: cp.id, citizenRef: person, scannedAt: t0 });
    const mine1 = await insertPassage(stack.db.checkpoints, { checkpointId: cp.id, citizenRef: person, scannedAt: t1 });
    const a = await insertPassage(stack.db.checkpoints, { checkpointId: cp.id, scannedAt: at(t0, 10) });
    const b = await insertPassage(stack.db.checkpoints, { checkpointId: cp.id, scannedAt: at(t0, -25) });
    await insertPassage(stack.db.checkpoints, { checkpointId: cp.id, scannedAt: at(t0, 45) }); // outside
    const d = await insertPassage(stack.db.checkpoints, { checkpointId: cp.id, scannedAt: at(t1, 5) });
    await insertPassage(stack.db.checkpoints, { checkpointId: elsewhere.id, scannedAt: t0 }); // other checkpoint

    const res = await stack.as('dev-health-01', PURPOSE).query<{
      coPresence: { contacts: { secondsApart: number; passage: { id: string }; near: { id: string } }[] };
    }>(CO, { id: cp.id, ref: person, minutes: 30 });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.coPresence).toEqual({
      contacts: [
        { secondsApart: 300, passage: { id: d.id, citizen: { ref: d.citizenRef } }, near: { id: mine1.id } },
        { secondsApart: 600, passage: { id: a.id, citizen: { ref: a.citizenRef } }, near: { id: mine0.id } },
        { secondsApart: 1500, passage: { id: b.id, citizen: { ref: b.citizenRef } }, near: { id: mine0.id } },
      ],
      truncated: false,
    });

    const firstTwo = await stack.as('dev-health-01', PURPOSE).query<{
      coPresence: { contacts: { passage: { id: string } }[]; truncated: boolean };
    }>(CO, { id: cp.id, ref: person, minutes: 30, first: 2 });
    expect(firstTwo.body.data!.coPresence.contacts.map((c) => c.passage.id)).toEqual([d.id, a.id]);
    expect(firstTwo.body.data!.coPresence.truncated).toBe(true);
  });

  test('bounds the window and the result size, and needs sensitive:read', async () => {
    const cp = await checkpoint();
    const ref = testCitizenRef(531);
    const as = stack.as('dev-health-01', PURPOSE);
    expectError(await as.query(CO, { id: cp.id, ref, minutes: 0 }), 'BAD_USER_INPUT', 'windowMinutes');
    expectError(await as.query(CO, { id: cp.id, ref, minutes: 1441 }), 'BAD_USER_INPUT', 'windowMinutes');
    expectError(await as.query(CO, { id: cp.id, ref, minutes: 30, first: 501 }), 'BAD_USER_INPUT', 'first');
    expectError(await as.query(CO, { id: cp.id, ref: '001099012345', minutes: 30 }), 'BAD_USER_INPUT', 'citizenRef');
    // A checkpoint officer reads checkpoints but not sensitive data.
    const officer = await stack.as('dev-checkpoint-01', PURPOSE).query(CO, { id: cp.id, ref, minutes: 30 });
    expect(officer.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('checkpointLoad', () => {
  const LOAD = `query($id: ID!, $from: DateTime, $to: DateTime, $bucket: LoadBucket!) {
    checkpointLoad(checkpointId: $id, from: $from, to: $to, bucket: $bucket) { start day direction decision count }
  }`;

  test('counts by Vietnamese calendar day, direction and decision (AT TIME ZONE, not the UTC day)', async () => {
    const cp = await checkpoint();
    // Local midnight three days ago is 17:00 UTC: an hour either side is the same UTC day but two
    // different days in Viet Nam.
    const midnight = demoInstant(3, 0);
    const before = new Date(midnight.getTime() - 3_600_000);
    const after = new Date(midnight.getTime() + 3_600_000);
    for (const scannedAt of [before, before])
      await insertPassage(stack.db.checkpoints, { checkpointId: cp.id, scannedAt });
    await insertPassage(stack.db.checkpoints, { checkpointId: cp.id, scannedAt: after });
    await insertPassage(stack.db.checkpoints, { checkpointId: cp.id, scannedAt: after, direction: 'OUT' });
    await insertPassage(stack.db.checkpoints, {
      checkpointId: cp.id,
      scannedAt: after,
      decision: 'TURNED_BACK',
      reason: 'Không có giấy đi đường',
    });
    const dayBefore = new Date(midnight.getTime() - DAY * 60_000);
    const res = await stack.as('dev-health-01', PURPOSE).query<{ checkpointLoad: unknown[] }>(LOAD, {
      id: cp.id,
      from: ago(10 * DAY),
      bucket: 'DAY',
    });
    expect(res.body.errors).toBeUndefined();
    const dayOf = (d: Date) => new Date(d.getTime() + 7 * 3_600_000).toISOString().slice(0, 10);
    expect(res.body.data!.checkpointLoad).toEqual([
      { start: dayBefore.toISOString(), day: dayOf(before), direction: 'IN', decision: 'ALLOWED', count: 2 },
      { start: midnight.toISOString(), day: dayOf(after), direction: 'IN', decision: 'ALLOWED', count: 1 },
      { start: midnight.toISOString(), day: dayOf(after), direction: 'IN', decision: 'TURNED_BACK', count: 1 },
      { start: midnight.toISOString(), day: dayOf(after), direction: 'OUT', decision: 'ALLOWED', count: 1 },
    ]);

    const hourly = await stack
      .as('dev-health-01', PURPOSE)
      .query<{ checkpointLoad: { start: string; count: number }[] }>(LOAD, {
        id: cp.id,
        from: ago(10 * DAY),
        bucket: 'HOUR',
      });
    expect(hourly.body.data!.checkpointLoad.map((b) => [b.start, b.count])).toEqual([
      [before.toISOString(), 2],
      [after.toISOString(), 1],
      [after.toISOString(), 1],
      [after.toISOString(), 1],
    ]);
  });

  test('suppresses counts below 5 for callers who read statistics only', async () => {
    const cp = await checkpoint();
    const scannedAt = ago(2 * DAY);
    for (let i = 0; i < 5; i++) await insertPassage(stack.db.checkpoints, { checkpointId: cp.id, scannedAt });
    await insertPassage(stack.db.checkpoints, { checkpointId: cp.id, scannedAt, direction: 'OUT' });
    const res = await stack
      .as('dev-analyst')
      .query<{ checkpointLoad: { direction: string; count: number | null }[] }>(LOAD, { id: cp.id, bucket: 'DAY' });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.checkpointLoad.map((b) => [b.direction, b.count])).toEqual([
      ['IN', 5],
      ['OUT', null],
    ]);
  });

  test('bounds the window per bucket', async () => {
    const cp = await checkpoint();
    const as = stack.as('dev-health-01', PURPOSE);
    expectError(
      await as.query(LOAD, { id: cp.id, from: ago(15 * DAY), to: ago(0), bucket: 'HOUR' }),
      'BAD_USER_INPUT',
      'from',
      /at most 14 days/,
    );
    expectError(
      await as.query(LOAD, { id: cp.id, from: ago(32 * DAY), to: ago(0), bucket: 'DAY' }),
      'BAD_USER_INPUT',
      'from',
      /at most 31 days/,
    );
    const hotline = await stack.as('dev-hotline-01').query(LOAD, { id: cp.id, bucket: 'DAY' });
    expect(hotline.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

test('an organisation lists the checkpoints it operates (contributed to the organisations entity)', async () => {
  const open = await checkpoint({ name: 'Chốt A', operatorCode: 'HCM-DIC' });
  const closed = await checkpoint({ name: 'Chốt B', operatorCode: 'HCM-DIC', status: 'CLOSED' });
  const res = await stack.as('dev-centre-admin').query<{
    organisation: { name: string; all: { id: string }[]; active: { id: string }[] };
  }>(`{ organisation(code: "HCM-DIC") {
    name all: checkpoints { id } active: checkpoints(status: ACTIVE) { id }
  } }`);
  expect(res.body.errors).toBeUndefined();
  expect(res.body.data!.organisation.all).toEqual([{ id: open.id }, { id: closed.id }]);
  expect(res.body.data!.organisation.active).toEqual([{ id: open.id }]);
});

test("a checkpoint's operators: the open assignments, or the whole history", async () => {
  const cp = await checkpoint();
  await insertOperatorAssignment(stack.db.checkpoints, { checkpointId: cp.id, userId: testOperatorId(1) });
  await insertOperatorAssignment(stack.db.checkpoints, {
    checkpointId: cp.id,
    userId: testOperatorId(2),
    removedAt: ago(DAY),
    removedBy: 'dev-health-01',
  });
  const res = await stack.as('dev-checkpoint-01', PURPOSE).query<{ checkpoint: unknown }>(
    `query($id: ID!) { checkpoint(id: $id) {
      operatorAssignments { user { id } active }
      history: operatorAssignments(includeRemoved: true) { user { id } active removedBy }
    } }`,
    { id: cp.id },
  );
  expect(res.body.errors).toBeUndefined();
  expect(res.body.data!.checkpoint).toEqual({
    operatorAssignments: [{ user: { id: testOperatorId(1) }, active: true }],
    history: [
      { user: { id: testOperatorId(1) }, active: true, removedBy: null },
      { user: { id: testOperatorId(2) }, active: false, removedBy: 'dev-health-01' },
    ],
  });
});
