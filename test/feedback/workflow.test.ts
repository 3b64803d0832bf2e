import { importUnitList } from '../../subgraphs/kit/admin-units';
import { DEMO_PEOPLE } from '../../subgraphs/kit/demo';
import { citizenRef } from '../../subgraphs/kit/pseudonym';
import type { FeedbackStatus } from '../../subgraphs/feedback/entities';
import { TEST_PSEUDONYM_KEY } from '../factories/citizens';
import { clearFeedback, insertFeedback } from '../factories/feedback';
import { testInstant } from '../factories/sequence';
import { countStatements } from '../statement-counter';
import { startStack, type Stack } from '../stack';
import { GSO_2025_03_01 } from '../unit-lists';
import {
  ASSIGN,
  MARK_DUPLICATE,
  ok,
  refused,
  submission,
  SUBMIT,
  tableCounts,
  TRANSITION,
  type Receipt,
} from './helpers';

/*
 * The handling workflow end to end, through the gateway: submit → assign → in progress → resolve,
 * reassignment, rejection, duplicates, every refused move, overdue lists, and the organisations'
 * assigned feedback joined across subgraphs.
 */

const HOTLINE = 'dev-hotline-01'; // feedback:read, write and handle, restricted:read
const HEALTH = 'dev-health-01'; // feedback:read and handle

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  await clearFeedback(stack.db.feedback);
  await importUnitList(stack.db.feedback, GSO_2025_03_01); // districts and wards are checked too
});
afterAll(async () => {
  await stack.stop();
});

const submit = async (overrides: Record<string, unknown> = {}): Promise<Receipt> =>
  (await ok<{ submitFeedback: Receipt }>(stack, HOTLINE, SUBMIT, { input: submission(overrides) })).submitFeedback;

const HISTORY = `query($id: ID!) { feedback(id: $id) {
  status resolution overdue assignee { code name } assigneeUnit { code }
  history { at actor from to assignee { code } assigneeUnit { code } note }
} }`;
interface Change {
  at: string;
  actor: string;
  from: string | null;
  to: string;
  assignee: { code: string } | null;
  assigneeUnit: { code: string } | null;
  note: string | null;
}
interface WithHistory {
  status: string;
  resolution: string | null;
  overdue: boolean;
  assignee: { code: string; name: string } | null;
  assigneeUnit: { code: string } | null;
  history: Change[];
}
const historyOf = async (id: string) => (await ok<{ feedback: WithHistory }>(stack, HOTLINE, HISTORY, { id })).feedback;
const moves = (h: Change[]) => h.map((c) => [c.actor, c.from, c.to, c.assignee?.code ?? null, c.note]);

test('submit → assign → in progress → resolve, each change in the history with who, when, from, to and note', async () => {
  const person = DEMO_PEOPLE[1]!;
  const created = await ok<{
    submitFeedback: Receipt & {
      feedback: {
        status: string;
        overdue: boolean;
        reporter: { kind: string; phone: string | null; citizen: { ref: string } | null };
        reportedPerson: { ref: string } | null;
      };
    };
  }>(
    stack,
    HOTLINE,
    `mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) {
      id status reportedAt dueAt replayed
      feedback { status overdue reporter { kind phone citizen { ref } } reportedPerson { ref } }
    } }`,
    {
      input: submission({
        category: 'SUSPECTED_CASE',
        reporter: { phone: '0912 345 678' },
        reportedPerson: { document: { type: 'CCCD', number: person.documentNumber } },
      }),
    },
  );
  const receipt = created.submitFeedback;
  expect(receipt).toMatchObject({ status: 'RECEIVED', replayed: false });
  // a suspected case is due 4 hours after it was reported
  expect(Date.parse(receipt.dueAt) - Date.parse(receipt.reportedAt)).toBe(4 * 3_600_000);
  expect(receipt.feedback).toEqual({
    status: 'RECEIVED',
    overdue: false,
    reporter: { kind: 'PHONE', phone: '0912345678', citizen: null },
    // the document became the pseudonym every subgraph computes; the number is not stored
    reportedPerson: { ref: citizenRef({ type: 'CCCD', number: person.documentNumber }, TEST_PSEUDONYM_KEY) },
  });
  const [stored] = (await stack.db.feedback.query(`SELECT to_jsonb(f)::text AS row FROM feedback f WHERE id = $1`, [
    receipt.id,
  ])) as { row: string }[];
  expect(stored!.row).not.toContain(person.documentNumber);

  const assigned = await ok<{ assignFeedback: unknown }>(stack, HEALTH, ASSIGN, {
    id: receipt.id,
    assignee: 'HN-CDC',
    unit: '001',
    note: 'Send a rapid-response team.',
  });
  expect(assigned.assignFeedback).toEqual({
    id: receipt.id,
    status: 'ASSIGNED',
    assignee: { code: 'HN-CDC' },
    assigneeUnit: { code: '001' },
  });
  await ok(stack, HEALTH, TRANSITION, { id: receipt.id, to: 'IN_PROGRESS', note: 'Team on the way.' });
  const resolved = await ok<{ transitionFeedback: unknown }>(stack, HEALTH, TRANSITION, {
    id: receipt.id,
    to: 'RESOLVED',
    resolution: 'Tested on site; household isolated pending results.',
  });
  expect(resolved.transitionFeedback).toEqual({
    id: receipt.id,
    status: 'RESOLVED',
    resolution: 'Tested on site; household isolated pending results.',
  });

  const f = await historyOf(receipt.id);
  expect(f).toMatchObject({
    status: 'RESOLVED',
    overdue: false,
    // the organisation's name comes from the organisations subgraph
    assignee: { code: 'HN-CDC', name: 'Trung tâm Kiểm soát bệnh tật Hà Nội' },
    assigneeUnit: { code: '001' },
  });
  expect(moves(f.history)).toEqual([
    [HOTLINE, null, 'RECEIVED', null, null],
    [HEALTH, 'RECEIVED', 'ASSIGNED', 'HN-CDC', 'Send a rapid-response team.'],
    [HEALTH, 'ASSIGNED', 'IN_PROGRESS', null, 'Team on the way.'],
    [HEALTH, 'IN_PROGRESS', 'RESOLVED', null, null],
  ]);
  expect(f.history[1]!.assigneeUnit).toEqual({ code: '001' });
  const times = f.history.map((c) => Date.parse(c.at));
  expect(times).toEqual([...times].sort((a, b) => a - b));
  expect(times[0]).toBeGreaterThanOrEqual(Date.parse(receipt.reportedAt));
});

test('reassignment from ASSIGNED and from IN_PROGRESS goes back to ASSIGNED and is recorded', async () => {
  const { id } = await submit();
  await ok(stack, HEALTH, ASSIGN, { id, assignee: 'HN-DOH', unit: '01' });
  await ok(stack, HEALTH, ASSIGN, { id, assignee: 'HN-CDC', note: 'CDC handles violations in Ba Đình.' });
  await ok(stack, HEALTH, TRANSITION, { id, to: 'IN_PROGRESS' });
  await ok(stack, HEALTH, ASSIGN, { id, assignee: 'HN-DOH', unit: '00001', note: 'Back to the department.' });
  const f = await historyOf(id);
  expect(f).toMatchObject({ status: 'ASSIGNED', assignee: { code: 'HN-DOH' }, assigneeUnit: { code: '00001' } });
  expect(moves(f.history)).toEqual([
    [HOTLINE, null, 'RECEIVED', null, null],
    [HEALTH, 'RECEIVED', 'ASSIGNED', 'HN-DOH', null],
    [HEALTH, 'ASSIGNED', 'ASSIGNED', 'HN-CDC', 'CDC handles violations in Ba Đình.'],
    [HEALTH, 'ASSIGNED', 'IN_PROGRESS', null, null],
    [HEALTH, 'IN_PROGRESS', 'ASSIGNED', 'HN-DOH', 'Back to the department.'],
  ]);

  // Assigning again to the same organisation and unit changes nothing and says so.
  const before = await tableCounts(stack.db.feedback);
  expect(await refused(stack, HEALTH, ASSIGN, { id, assignee: 'HN-DOH', unit: '00001' })).toEqual({
    code: 'CONFLICT',
    field: 'assigneeCode',
    message: 'the feedback is already assigned to HN-DOH (00001)',
  });
  expect(await tableCounts(stack.db.feedback)).toEqual(before);
});

test('concurrent changes of one item are applied one at a time (the row is locked)', async () => {
  const f = await insertFeedback(stack.db.feedback, { status: 'ASSIGNED', assigneeCode: 'HN-DOH' });
  const results = await Promise.all([
    stack.as(HEALTH).query(TRANSITION, { id: f.id, to: 'IN_PROGRESS' }),
    stack.as(HEALTH).query(TRANSITION, { id: f.id, to: 'IN_PROGRESS' }),
    stack.as(HEALTH).query(TRANSITION, { id: f.id, to: 'REJECTED', note: 'Not a violation.' }),
    stack.as(HEALTH).query(ASSIGN, { id: f.id, assignee: 'HN-CDC' }),
  ]);
  const h = (await historyOf(f.id)).history;
  // Without the lock two calls could both start from ASSIGNED, breaking the chain of from/to.
  // Every change that succeeded is in the history once, each starting from the status the one before left.
  const succeeded = results.filter((r) => !r.body.errors).length;
  expect(h).toHaveLength(1 + succeeded);
  for (let i = 1; i < h.length; i++) expect(h[i]!.from).toBe(h[i - 1]!.to);
  for (const r of results.filter((x) => x.body.errors)) {
    expect(r.body.errors!.map((e) => e.extensions?.code)).toEqual(['CONFLICT']);
  }
  expect(succeeded).toBeGreaterThan(0);
  expect((await historyOf(f.id)).status).toBe(h.at(-1)!.to);
});

test.each<[FeedbackStatus, string | null]>([
  ['RECEIVED', null],
  ['ASSIGNED', 'HN-DOH'],
  ['IN_PROGRESS', 'HN-DOH'],
])('rejection from %s needs a reason, is final and is recorded', async (status, assigneeCode) => {
  const f = await insertFeedback(stack.db.feedback, { status, assigneeCode });
  expect(await refused(stack, HEALTH, TRANSITION, { id: f.id, to: 'REJECTED' })).toMatchObject({
    code: 'BAD_USER_INPUT',
    field: 'note',
  });
  await ok(stack, HEALTH, TRANSITION, { id: f.id, to: 'REJECTED', note: 'Outside the centre’s remit.' });
  const after = await historyOf(f.id);
  expect(after.status).toBe('REJECTED');
  expect(moves(after.history).at(-1)).toEqual([HEALTH, status, 'REJECTED', null, 'Outside the centre’s remit.']);
  expect(await refused(stack, HEALTH, ASSIGN, { id: f.id, assignee: 'HN-DOH' })).toMatchObject({
    code: 'CONFLICT',
    message: 'cannot move feedback from REJECTED to ASSIGNED: REJECTED is final',
  });
});

describe('duplicates', () => {
  test('markDuplicate points a report at its original and records it', async () => {
    const original = await submit({ description: 'Crowd at the Long Biên market without masks.' });
    const copy = await submit({ description: 'Same crowd at Long Biên market, reported again.' });
    await ok(stack, HEALTH, ASSIGN, { id: copy.id, assignee: 'HN-PC' });
    const marked = await ok<{ markDuplicate: unknown }>(stack, HOTLINE, MARK_DUPLICATE, {
      id: copy.id,
      of: original.id,
    });
    expect(marked.markDuplicate).toEqual({ id: copy.id, status: 'DUPLICATE', duplicateOf: { id: original.id } });
    const f = await historyOf(copy.id);
    expect(moves(f.history).at(-1)).toEqual([HOTLINE, 'ASSIGNED', 'DUPLICATE', null, `duplicate of ${original.id}`]);
  });

  test('the original must exist, differ from the item and not be a duplicate itself', async () => {
    const original = await submit();
    const copy = await submit();
    await ok(stack, HOTLINE, MARK_DUPLICATE, { id: copy.id, of: original.id });
    const other = await submit();
    const before = await tableCounts(stack.db.feedback);

    expect(await refused(stack, HOTLINE, MARK_DUPLICATE, { id: other.id, of: other.id })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'of',
    });
    expect(
      await refused(stack, HOTLINE, MARK_DUPLICATE, { id: other.id, of: '00000000-0000-4000-8000-000000000000' }),
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'of', message: 'of: no feedback has this id' });
    expect(await refused(stack, HOTLINE, MARK_DUPLICATE, { id: other.id, of: copy.id })).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'of',
      message: `of: is itself a duplicate of ${original.id}: point at the original`,
    });
    expect(
      await refused(stack, HOTLINE, MARK_DUPLICATE, { id: '00000000-0000-4000-8000-000000000000', of: other.id }),
    ).toMatchObject({ code: 'NOT_FOUND' });
    // An original that others point at cannot become a duplicate (no chains).
    expect(await refused(stack, HOTLINE, MARK_DUPLICATE, { id: original.id, of: other.id })).toMatchObject({
      code: 'CONFLICT',
      field: 'id',
    });
    expect(await tableCounts(stack.db.feedback)).toEqual(before);
  });
});

describe('refused moves change nothing', () => {
  const ALL: FeedbackStatus[] = ['RECEIVED', 'ASSIGNED', 'IN_PROGRESS', 'RESOLVED', 'REJECTED', 'DUPLICATE'];
  const ALLOWED = new Set([
    'RECEIVED>REJECTED',
    'ASSIGNED>IN_PROGRESS',
    'ASSIGNED>REJECTED',
    'IN_PROGRESS>RESOLVED',
    'IN_PROGRESS>REJECTED',
  ]);
  const refusedTransitions = ALL.flatMap((from) =>
    (['IN_PROGRESS', 'RESOLVED', 'REJECTED'] as FeedbackStatus[])
      .filter((to) => !ALLOWED.has(`${from}>${to}`))
      .map((to) => [from, to] as const),
  );

  const item = (status: FeedbackStatus) =>
    insertFeedback(stack.db.feedback, {
      status,
      assigneeCode: status === 'RECEIVED' ? null : 'HN-DOH',
    });

  test.each(refusedTransitions)('transitionFeedback %s → %s is a CONFLICT naming both', async (from, to) => {
    const f = await item(from);
    const before = await tableCounts(stack.db.feedback);
    const error = await refused(stack, HEALTH, TRANSITION, {
      id: f.id,
      to,
      note: 'attempt',
      ...(to === 'RESOLVED' ? { resolution: 'done' } : {}),
    });
    expect(error).toMatchObject({ code: 'CONFLICT', field: 'to' });
    expect(error.message).toMatch(new RegExp(`^cannot move feedback from ${from} to ${to}: `));
    expect(await tableCounts(stack.db.feedback)).toEqual(before);
    expect((await historyOf(f.id)).status).toBe(from);
  });

  test.each(['RECEIVED', 'ASSIGNED', 'DUPLICATE'])(
    'transitionFeedback never sets %s: BAD_USER_INPUT pointing at the right mutation',
    async (to) => {
      const f = await item('ASSIGNED');
      const error = await refused(stack, HEALTH, TRANSITION, { id: f.id, to });
      expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
      expect(error.message).toContain(`transitionFeedback cannot set ${to}`);
    },
  );

  test.each<FeedbackStatus>(['RESOLVED', 'REJECTED', 'DUPLICATE'])('assignFeedback on %s is a CONFLICT', async (s) => {
    const f = await item(s);
    const before = await tableCounts(stack.db.feedback);
    expect(await refused(stack, HEALTH, ASSIGN, { id: f.id, assignee: 'HN-CDC' })).toEqual({
      code: 'CONFLICT',
      field: 'id',
      message: `cannot move feedback from ${s} to ASSIGNED: ${s} is final`,
    });
    expect(await tableCounts(stack.db.feedback)).toEqual(before);
  });

  test.each<FeedbackStatus>(['IN_PROGRESS', 'RESOLVED', 'REJECTED', 'DUPLICATE'])(
    'markDuplicate on %s is a CONFLICT',
    async (s) => {
      const original = await item('RECEIVED');
      const f = await item(s);
      const before = await tableCounts(stack.db.feedback);
      const error = await refused(stack, HEALTH, MARK_DUPLICATE, { id: f.id, of: original.id });
      expect(error).toMatchObject({ code: 'CONFLICT', field: 'id' });
      expect(error.message).toMatch(new RegExp(`^cannot move feedback from ${s} to DUPLICATE: `));
      expect(await tableCounts(stack.db.feedback)).toEqual(before);
    },
  );

  test('resolving needs a resolution, and only resolving takes one', async () => {
    const f = await item('IN_PROGRESS');
    expect(await refused(stack, HEALTH, TRANSITION, { id: f.id, to: 'RESOLVED' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'resolution',
    });
    expect(await refused(stack, HEALTH, TRANSITION, { id: f.id, to: 'RESOLVED', resolution: '   ' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'resolution',
    });
    expect(
      await refused(stack, HEALTH, TRANSITION, { id: f.id, to: 'REJECTED', note: 'x', resolution: 'x' }),
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'resolution' });
    expect((await historyOf(f.id)).status).toBe('IN_PROGRESS');
  });

  test('an unknown id is NOT_FOUND for every change', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    expect((await refused(stack, HEALTH, ASSIGN, { id, assignee: 'HN-DOH' })).code).toBe('NOT_FOUND');
    expect((await refused(stack, HEALTH, TRANSITION, { id, to: 'IN_PROGRESS' })).code).toBe('NOT_FOUND');
    expect((await refused(stack, HEALTH, TRANSITION, { id: 'not-a-uuid', to: 'IN_PROGRESS' })).code).toBe('NOT_FOUND');
  });
});

describe('overdue', () => {
  const OVERDUE = `query($assignee: ID, $first: Int, $after: String) {
    overdueFeedback(assigneeCode: $assignee, first: $first, after: $after) {
      edges { node { id overdue dueAt status } } pageInfo { hasNextPage endCursor }
    }
  }`;
  interface OverduePage {
    overdueFeedback: {
      edges: { node: { id: string; overdue: boolean; dueAt: string; status: string } }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  }

  test('a report back-dated past its deadline is overdue at once; closing it ends that', async () => {
    const fiveHoursAgo = new Date(Date.now() - 5 * 3_600_000).toISOString();
    const r = await submit({ category: 'QUARANTINE_BREACH', reportedAt: fiveHoursAgo }); // due after 4 hours
    await ok(stack, HEALTH, ASSIGN, { id: r.id, assignee: 'HN-PC' });
    const listed = await ok<OverduePage>(stack, HOTLINE, OVERDUE, { assignee: 'HN-PC' });
    expect(listed.overdueFeedback.edges.map((e) => [e.node.id, e.node.overdue])).toEqual([[r.id, true]]);

    await ok(stack, HEALTH, TRANSITION, { id: r.id, to: 'REJECTED', note: 'Already handled by the police.' });
    expect((await historyOf(r.id)).overdue).toBe(false);
    expect((await ok<OverduePage>(stack, HOTLINE, OVERDUE, { assignee: 'HN-PC' })).overdueFeedback.edges).toEqual([]);
  });

  test('overdueFeedback lists open items past their deadline, the oldest deadline first, by page', async () => {
    // 2021 items: long past their deadlines. Category deadlines put them in this dueAt order.
    const org = 'MOH-PHEOC';
    const late = await insertFeedback(stack.db.feedback, {
      category: 'APP_PROBLEM', // due 120 h after 2021-09-01T10:00Z
      reportedAt: testInstant(10),
      status: 'IN_PROGRESS',
      assigneeCode: org,
    });
    const early = await insertFeedback(stack.db.feedback, {
      category: 'SUSPECTED_CASE', // due 4 h after 2021-09-02T00:00Z
      reportedAt: testInstant(24),
      status: 'ASSIGNED',
      assigneeCode: org,
    });
    const middle = await insertFeedback(stack.db.feedback, {
      category: 'VIOLATION', // due 24 h after 2021-09-02T00:00Z
      reportedAt: testInstant(24),
      status: 'ASSIGNED',
      assigneeCode: org,
    });
    await insertFeedback(stack.db.feedback, { status: 'RESOLVED', assigneeCode: org }); // closed
    await insertFeedback(stack.db.feedback, { status: 'ASSIGNED', assigneeCode: 'MOH-DIT' }); // someone else's

    const pages: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: OverduePage = await ok<OverduePage>(stack, HOTLINE, OVERDUE, { assignee: org, first: 2, after });
      pages.push(...page.overdueFeedback.edges.map((e) => e.node.id));
      expect(page.overdueFeedback.edges.every((e) => e.node.overdue)).toBe(true);
      if (!page.overdueFeedback.pageInfo.hasNextPage) break;
      after = page.overdueFeedback.pageInfo.endCursor;
    }
    expect(pages).toEqual([early.id, middle.id, late.id]);

    // Without an assignee: every overdue item, unassigned ones too, still oldest deadline first.
    const unassigned = await insertFeedback(stack.db.feedback, { status: 'RECEIVED', reportedAt: testInstant(0) });
    const all = await ok<OverduePage>(stack, HOTLINE, OVERDUE, { first: 200 });
    const order = all.overdueFeedback.edges.map((e) => e.node.id);
    expect(order[0]).toBe(unassigned.id);
    const dues = all.overdueFeedback.edges.map((e) => Date.parse(e.node.dueAt));
    expect(dues).toEqual([...dues].sort((a, b) => a - b));
    expect(
      all.overdueFeedback.edges.every((e) => ['RECEIVED', 'ASSIGNED', 'IN_PROGRESS'].includes(e.node.status)),
    ).toBe(true);
  });
});

describe('Organisation.assignedFeedback (joined with the organisations subgraph)', () => {
  const org = 'HCM-DIC'; // used by no other test of this file
  // Its items are about Hà Nội, in the jurisdiction of the hotline operator reading them.

  test('lists the organisation’s feedback newest first, filtered by status', async () => {
    const older = await insertFeedback(stack.db.feedback, {
      provinceCode: '01',
      reportedAt: testInstant(100),
      status: 'ASSIGNED',
      assigneeCode: org,
    });
    const newer = await insertFeedback(stack.db.feedback, {
      provinceCode: '01',
      reportedAt: testInstant(200),
      status: 'IN_PROGRESS',
      assigneeCode: org,
    });
    const res = await stack.as(HOTLINE).query<{ organisation: unknown }>(
      `{ organisation(code: "${org}") {
        name
        assignedFeedback { id status }
        open: assignedFeedback(status: ASSIGNED) { id }
        latest: assignedFeedback(first: 1) { id }
      } }`,
    );
    expect(res.body).toEqual({
      data: {
        organisation: {
          name: 'Sở Thông tin và Truyền thông Thành phố Hồ Chí Minh',
          assignedFeedback: [
            { id: newer.id, status: 'IN_PROGRESS' },
            { id: older.id, status: 'ASSIGNED' },
          ],
          open: [{ id: older.id }],
          latest: [{ id: newer.id }],
        },
      },
    });
  });

  test('for many organisations at once it costs one statement', async () => {
    const counter = countStatements(stack.appDb.feedback);
    try {
      const res = await stack
        .as(HOTLINE)
        .query<{ organisations: { code: string; assignedFeedback: unknown[] }[] }>(
          `{ organisations { code assignedFeedback(first: 5) { id } } }`,
        );
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data!.organisations.length).toBeGreaterThan(5);
      expect(res.body.data!.organisations.find((o) => o.code === org)!.assignedFeedback).toHaveLength(2);
      expect(counter.statements).toHaveLength(1);
    } finally {
      counter.restore();
    }
  });

  test('needs feedback:read', async () => {
    const res = await stack
      .as('dev-analyst')
      .query(`{ organisation(code: "${org}") { name assignedFeedback { id } } }`);
    expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
  });
});

describe('coarse scopes', () => {
  test('a consumer app submits and reads its receipt, but not the feedback', async () => {
    const res = await stack
      .as('dev-consumer-79')
      .query<{ submitFeedback: { id: string; feedback: unknown } }>(
        `mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { id status feedback { id } } }`,
        { input: submission({ channel: 'APP', provinceCode: '79', districtCode: '760', wardCode: '26740' }) },
      );
    expect(res.body.data?.submitFeedback).toEqual({ id: expect.any(String), status: 'RECEIVED', feedback: null });
    expect(res.body.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([
      ['submitFeedback.feedback', 'FORBIDDEN'],
    ]);
    const assign = await refused(stack, 'dev-consumer-79', ASSIGN, {
      id: res.body.data!.submitFeedback.id,
      assignee: 'HCM-DOH',
    });
    expect(assign.code).toBe('FORBIDDEN');
  });

  test('a health official handles feedback but cannot submit it or see reporters', async () => {
    expect((await refused(stack, HEALTH, SUBMIT, { input: submission() })).code).toBe('FORBIDDEN');
    const f = await insertFeedback(stack.db.feedback);
    const res = await stack.as(HEALTH).query(`query($id: ID!) { feedback(id: $id) { id reporter { kind } } }`, {
      id: f.id,
    });
    expect(res.body.data).toEqual({ feedback: { id: f.id, reporter: null } });
    expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
  });
});
