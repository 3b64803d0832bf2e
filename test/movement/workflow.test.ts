import type { MovementStatus } from '../../subgraphs/movement/entities';
import { insertMovement } from '../factories/movement';
import { testInstant } from '../factories/sequence';
import { startStack, type Stack } from '../stack';
import { APP, expectError, OFFICIAL } from './helpers';

/*
 * The declaration's state machine through the gateway: every allowed transition, every refused one
 * (CONFLICT naming the current status and the transition, nothing written), expiry computed on
 * read, and concurrent decisions of which exactly one wins.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.stop();
});

type Action = 'approve' | 'reject' | 'cancel';
const TARGET: Record<Action, MovementStatus> = { approve: 'APPROVED', reject: 'REJECTED', cancel: 'CANCELLED' };

const FIELDS = 'id status decidedBy decidedAt decisionNote statusHistory { from to by reason }';
const MUTATIONS: Record<Action, string> = {
  approve: `mutation($id: ID!, $text: String) { approveMovement(id: $id, note: $text) { ${FIELDS} } }`,
  reject: `mutation($id: ID!, $text: String!) { rejectMovement(id: $id, reason: $text) { ${FIELDS} } }`,
  cancel: `mutation($id: ID!, $text: String!) { cancelMovement(id: $id, reason: $text) { id status } }`,
};
const CALLER: Record<Action, string> = { approve: OFFICIAL, reject: OFFICIAL, cancel: APP };

type Result = Record<string, { id: string; status: MovementStatus } & Record<string, unknown>>;

const act = (action: Action, id: string, text: string | null = 'Checked by the ward') =>
  stack.as(CALLER[action]).query<Result>(MUTATIONS[action], { id, text });

const historyCount = async (id: string): Promise<number> =>
  (
    (await stack.db.movement.query(`SELECT count(*)::int AS n FROM movement_status_change WHERE movement_id = $1`, [
      id,
    ])) as { n: number }[]
  )[0]!.n;

const storedStatus = async (id: string): Promise<string> =>
  (
    (await stack.db.movement.query(`SELECT status FROM movement_declaration WHERE id = $1`, [id])) as {
      status: string;
    }[]
  )[0]!.status;

/** A declaration in `status`; EXPIRED is a DECLARED one whose validity has passed. */
async function declarationIn(status: MovementStatus): Promise<string> {
  if (status === 'EXPIRED') {
    return (await insertMovement(stack.db.movement, { status: 'DECLARED', validUntil: testInstant(24 * 30) })).id;
  }
  return (await insertMovement(stack.db.movement, { status })).id;
}

const readStatus = async (id: string): Promise<string> => {
  const res = await stack
    .as(OFFICIAL)
    .query<{ movement: { status: string } }>(`query($id: ID!) { movement(id: $id) { status } }`, { id });
  return res.body.data!.movement.status;
};

describe('allowed transitions', () => {
  test('DECLARED → APPROVED records who approved, when and the note', async () => {
    const id = await declarationIn('DECLARED');
    const res = await act('approve', id, 'Negative test on file');
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.approveMovement).toMatchObject({
      id,
      status: 'APPROVED',
      decidedBy: OFFICIAL,
      decisionNote: 'Negative test on file',
      statusHistory: [
        { from: null, to: 'DECLARED', by: 'test-app', reason: null },
        { from: 'DECLARED', to: 'APPROVED', by: OFFICIAL, reason: 'Negative test on file' },
      ],
    });
    expect(res.body.data!.approveMovement.decidedAt).toEqual(expect.any(String));
  });

  test('DECLARED → APPROVED without a note', async () => {
    const id = await declarationIn('DECLARED');
    const res = await act('approve', id, null);
    expect(res.body.data!.approveMovement).toMatchObject({ status: 'APPROVED', decisionNote: null });
  });

  test('DECLARED → REJECTED records who rejected and why', async () => {
    const id = await declarationIn('DECLARED');
    const res = await act('reject', id, 'Destination under lockdown');
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.rejectMovement).toMatchObject({
      status: 'REJECTED',
      decidedBy: OFFICIAL,
      decisionNote: 'Destination under lockdown',
      statusHistory: [
        { from: null, to: 'DECLARED' },
        { from: 'DECLARED', to: 'REJECTED', by: OFFICIAL, reason: 'Destination under lockdown' },
      ],
    });
  });

  test.each<MovementStatus>(['DECLARED', 'APPROVED'])('%s → CANCELLED by the declaring app', async (from) => {
    const id = await declarationIn(from);
    const res = await act('cancel', id, 'Trip postponed');
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.cancelMovement).toEqual({ id, status: 'CANCELLED' });
    const history = await stack
      .as(OFFICIAL)
      .query<{ movement: { statusHistory: unknown[]; decidedBy: unknown } }>(
        `query($id: ID!) { movement(id: $id) { decidedBy statusHistory { from to by reason } } }`,
        { id },
      );
    expect(history.body.data!.movement.statusHistory.at(-1)).toEqual({
      from,
      to: 'CANCELLED',
      by: APP,
      reason: 'Trip postponed',
    });
  });
});

describe('refused transitions: CONFLICT naming the current status and the transition, nothing written', () => {
  const refused: [MovementStatus, Action][] = [
    ['APPROVED', 'approve'],
    ['APPROVED', 'reject'],
    ['REJECTED', 'approve'],
    ['REJECTED', 'reject'],
    ['REJECTED', 'cancel'],
    ['CANCELLED', 'approve'],
    ['CANCELLED', 'reject'],
    ['CANCELLED', 'cancel'],
    ['EXPIRED', 'approve'],
    ['EXPIRED', 'reject'],
    ['EXPIRED', 'cancel'],
  ];

  test.each(refused)('%s cannot %s', async (from, action) => {
    const id = await declarationIn(from);
    const stored = await storedStatus(id);
    const changes = await historyCount(id);
    const res = await act(action, id);
    const message = expectError(res, 'CONFLICT', 'id');
    expect(message).toContain(`is ${from}`);
    expect(message).toContain(`${from} → ${TARGET[action]}`);
    expect(await storedStatus(id)).toBe(stored);
    expect(await historyCount(id)).toBe(changes);
  });

  test('an APPROVED declaration whose validity has passed is EXPIRED and cannot be cancelled', async () => {
    const id = (await insertMovement(stack.db.movement, { status: 'APPROVED', validUntil: testInstant(24 * 30) })).id;
    expect(await readStatus(id)).toBe('EXPIRED');
    const res = await act('cancel', id);
    expect(expectError(res, 'CONFLICT', 'id')).toContain('EXPIRED → CANCELLED');
  });

  test('an unknown id is NOT_FOUND', async () => {
    for (const action of ['approve', 'reject', 'cancel'] as const) {
      expectError(await act(action, '00000000-0000-4000-8000-000000000000'), 'NOT_FOUND');
      expectError(await act(action, 'not-an-id'), 'NOT_FOUND');
    }
  });

  test.each([
    ['a blank rejection reason', 'reject', '  ', 'reason'],
    ['an empty cancellation reason', 'cancel', '', 'reason'],
    ['a rejection reason over 500 characters', 'reject', 'x'.repeat(501), 'reason'],
    ['an approval note over 500 characters', 'approve', 'x'.repeat(501), 'note'],
  ] as const)('%s is BAD_USER_INPUT and writes nothing', async (_, action, text, field) => {
    const id = await declarationIn('DECLARED');
    const res = await act(action, id, text);
    expectError(res, 'BAD_USER_INPUT', field);
    expect(await storedStatus(id)).toBe('DECLARED');
    expect(await historyCount(id)).toBe(1);
  });

  test('deciding needs movement:decide and cancelling movement:write', async () => {
    const id = await declarationIn('DECLARED');
    expectError(await stack.as(APP).query(MUTATIONS.approve, { id, text: null }), 'FORBIDDEN');
    expectError(await stack.as(APP).query(MUTATIONS.reject, { id, text: 'no' }), 'FORBIDDEN');
    expectError(await stack.as(OFFICIAL).query(MUTATIONS.cancel, { id, text: 'no' }), 'FORBIDDEN');
    expect(await historyCount(id)).toBe(1);
  });
});

describe('expiry', () => {
  test('is computed on read: a DECLARED declaration reads EXPIRED once its validity has passed, without a job', async () => {
    const m = await insertMovement(stack.db.movement, { status: 'DECLARED' });
    expect(await readStatus(m.id)).toBe('DECLARED');
    await stack.db.movement.query(
      `UPDATE movement_declaration SET valid_until = COALESCE(arrive_at, depart_at) WHERE id = $1`,
      [m.id],
    );
    expect(await readStatus(m.id)).toBe('EXPIRED');
    // Lists and a citizen's movements see the same status.
    const res = await stack.as(OFFICIAL).query<{
      movement: { citizen: { movements: { id: string; status: string }[] } };
    }>(`query($id: ID!) { movement(id: $id) { citizen { movements { id status } } } }`, { id: m.id });
    expect(res.body.data!.movement.citizen.movements).toEqual([{ id: m.id, status: 'EXPIRED' }]);
  });

  test.each<MovementStatus>(['REJECTED', 'CANCELLED'])(
    'a %s declaration keeps its status after its validity',
    async (s) => {
      const m = await insertMovement(stack.db.movement, { status: s, validUntil: testInstant(24 * 30) });
      expect(await readStatus(m.id)).toBe(s);
    },
  );
});

describe('concurrent decisions', () => {
  test('approve and reject at once: exactly one wins, the other is a CONFLICT naming the winner', async () => {
    for (let round = 0; round < 5; round++) {
      const id = await declarationIn('DECLARED');
      const [approved, rejected] = await Promise.all([act('approve', id), act('reject', id)]);
      const winners = [approved, rejected].filter((r) => !r.body.errors);
      const losers = [approved, rejected].filter((r) => r.body.errors);
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(1);
      const won = winners[0] === approved ? 'APPROVED' : 'REJECTED';
      expect(expectError(losers[0]!, 'CONFLICT', 'id')).toContain(`is ${won}`);
      expect(await storedStatus(id)).toBe(won);
      expect(await historyCount(id)).toBe(2);
    }
  });

  test('two approvals at once: one succeeds, one is refused', async () => {
    const id = await declarationIn('DECLARED');
    const results = await Promise.all([act('approve', id), act('approve', id)]);
    expect(results.filter((r) => !r.body.errors)).toHaveLength(1);
    expect(await historyCount(id)).toBe(2);
  });
});
