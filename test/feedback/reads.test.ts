import type { DataSource } from 'typeorm';
import { FeedbackChangeRow } from '../../subgraphs/feedback/entities';
import { testCitizenRef } from '../factories/citizens';
import { clearFeedback, insertFeedback } from '../factories/feedback';
import { testInstant } from '../factories/sequence';
import { countStatements } from '../statement-counter';
import { startStack, type Stack } from '../stack';
import { ok, refused } from './helpers';

/*
 * Reads through the gateway: statistics by category, status and Vietnamese calendar day, and the
 * proof that a page costs the same number of statements whatever its size.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  await clearFeedback(stack.db.feedback);
});
afterAll(async () => {
  await stack.stop();
});

describe('feedbackStats', () => {
  const STATS = `query($unit: ID, $from: DateTime, $to: DateTime, $by: FeedbackStatsGrouping!) {
    feedbackStats(unitCode: $unit, from: $from, to: $to, groupBy: $by) { groupBy total buckets { key count } }
  }`;
  // Around Vietnamese midnight between 1 and 2 October 2021 (UTC+7: 17:00 UTC is 00:00 local).
  const lastMoment1Oct = new Date('2021-10-01T16:59:59.999Z');
  const firstMoment2Oct = new Date('2021-10-01T17:00:00.000Z');
  const window = { from: '2021-09-30T17:00:00.000Z', to: '2021-10-03T17:00:00.000Z' }; // 1-3 Oct, Viet Nam

  beforeAll(async () => {
    const ds = stack.db.feedback;
    await insertFeedback(ds, { reportedAt: new Date('2021-09-30T17:00:00.000Z'), category: 'VIOLATION' }); // 1 Oct 00:00
    await insertFeedback(ds, { reportedAt: lastMoment1Oct, category: 'SUSPECTED_CASE', status: 'ASSIGNED' });
    await insertFeedback(ds, { reportedAt: firstMoment2Oct, category: 'SUSPECTED_CASE', status: 'RESOLVED' });
    await insertFeedback(ds, {
      reportedAt: new Date('2021-10-02T10:00:00.000Z'),
      category: 'APP_PROBLEM',
      districtCode: '002',
      wardCode: '00037',
    });
    await insertFeedback(ds, {
      reportedAt: new Date('2021-10-03T16:59:59.999Z'),
      category: 'OTHER',
      status: 'REJECTED',
    });
    // Outside the window or the unit: never counted below.
    await insertFeedback(ds, { reportedAt: new Date('2021-09-30T16:59:59.999Z'), category: 'VIOLATION' });
    await insertFeedback(ds, { reportedAt: new Date('2021-10-03T17:00:00.000Z'), category: 'VIOLATION' });
    await insertFeedback(ds, { reportedAt: lastMoment1Oct, provinceCode: '79', districtCode: null, wardCode: null });
  });

  // The data protection officer reads feedback nationally (feedback:read): full counts. Analysts
  // (stats:read only) get small counts suppressed: test/authorization/checkpoints-feedback.test.ts.
  const stats = (by: string, unit: string | null = '01', subject = 'dev-dpo') =>
    ok<{ feedbackStats: unknown }>(stack, subject, STATS, { by, unit, ...window }).then((d) => d.feedbackStats);

  test('by DAY: calendar days in Viet Nam, split at local midnight (AT TIME ZONE in SQL)', async () => {
    expect(await stats('DAY')).toEqual({
      groupBy: 'DAY',
      total: 5,
      buckets: [
        { key: '2021-10-01', count: 2 },
        { key: '2021-10-02', count: 2 },
        { key: '2021-10-03', count: 1 },
      ],
    });
  });

  test('by CATEGORY and by STATUS, in declaration order, only non-empty groups', async () => {
    expect(await stats('CATEGORY')).toEqual({
      groupBy: 'CATEGORY',
      total: 5,
      buckets: [
        { key: 'VIOLATION', count: 1 },
        { key: 'SUSPECTED_CASE', count: 2 },
        { key: 'APP_PROBLEM', count: 1 },
        { key: 'OTHER', count: 1 },
      ],
    });
    expect(await stats('STATUS', '01', 'dev-hotline-01')).toEqual({
      groupBy: 'STATUS',
      total: 5,
      buckets: [
        { key: 'RECEIVED', count: 2 },
        { key: 'ASSIGNED', count: 1 },
        { key: 'RESOLVED', count: 1 },
        { key: 'REJECTED', count: 1 },
      ],
    });
  });

  test('within a district or a ward, and across all units', async () => {
    expect(await stats('CATEGORY', '002')).toMatchObject({ total: 1, buckets: [{ key: 'APP_PROBLEM', count: 1 }] });
    expect(await stats('DAY', '00037')).toMatchObject({ total: 1, buckets: [{ key: '2021-10-02', count: 1 }] });
    expect(await stats('DAY', null)).toMatchObject({
      total: 6,
      buckets: [
        { key: '2021-10-01', count: 3 },
        { key: '2021-10-02', count: 2 },
        { key: '2021-10-03', count: 1 },
      ],
    });
  });

  test('refuses a bad unit or an empty period, and callers without stats:read or feedback:read', async () => {
    expect(await refused(stack, 'dev-analyst', STATS, { by: 'DAY', unit: 'Hà Nội' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'unitCode',
    });
    expect(await refused(stack, 'dev-analyst', STATS, { by: 'DAY', from: window.to, to: window.from })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'to',
    });
    expect((await refused(stack, 'dev-consumer-79', STATS, { by: 'DAY' })).code).toBe('FORBIDDEN');
  });
});

describe('statement count through the gateway', () => {
  const PAGE = `query($first: Int!, $from: DateTime!, $to: DateTime!) {
    feedbackList(filter: { from: $from, to: $to }, first: $first) { edges { node {
      id status description dueAt overdue
      province { code name }
      assignee { code name }
      reporter { kind phone citizen { ref } }
      reportedPerson { ref }
      duplicateOf { id status assignee { code } }
      history { at actor from to assignee { code name } note }
    } } }
  }`;
  // A window of its own (late 2023), so the statistics rows above never match.
  const base = testInstant(20_000);
  const span = { from: base.toISOString(), to: new Date(base.getTime() + 100 * 3_600_000).toISOString() };

  /** 30 items, each with a four-change history; every third one a duplicate of the first. */
  async function insertThirty(ds: DataSource): Promise<void> {
    const first = await insertFeedback(ds, { reportedAt: base, status: 'RECEIVED' });
    for (let i = 1; i < 30; i++) {
      const f = await insertFeedback(ds, {
        reportedAt: new Date(base.getTime() + i * 3_600_000),
        status: i % 3 === 2 ? 'DUPLICATE' : 'IN_PROGRESS',
        duplicateOf: i % 3 === 2 ? first.id : null,
        assigneeCode: i % 2 ? 'HN-DOH' : 'HN-CDC',
        reporterKind: 'CITIZEN',
        reporterRef: testCitizenRef(i),
        reportedRef: testCitizenRef(100 + i),
      });
      await ds.getRepository(FeedbackChangeRow).insert(
        [2, 3, 4].map((seq) => ({
          feedbackId: f.id,
          seq,
          at: new Date(f.reportedAt.getTime() + seq * 60_000),
          actor: 'dev-health-01',
          fromStatus: 'RECEIVED' as const,
          toStatus: 'ASSIGNED' as const,
          assigneeCode: seq % 2 ? 'HN-CDC' : 'HN-DOH',
          assigneeUnitCode: null,
          note: `change ${seq}`,
        })),
      );
    }
  }

  interface Page {
    feedbackList: { edges: { node: { history: unknown[]; duplicateOf: unknown } }[] };
  }

  test('a page of 3 and a page of 30, with history and nested fields, cost the same statements', async () => {
    await insertThirty(stack.db.feedback);
    const counter = countStatements(stack.appDb.feedback);
    try {
      const counts: Record<number, number> = {};
      for (const first of [3, 30]) {
        counter.reset();
        const page = await ok<Page>(stack, 'dev-hotline-01', PAGE, { first, ...span });
        expect(page.feedbackList.edges).toHaveLength(first);
        expect(page.feedbackList.edges[0]!.node.history).toHaveLength(4);
        expect(page.feedbackList.edges.some((e) => e.node.duplicateOf !== null)).toBe(true);
        counts[first] = counter.statements.length;
      }
      // the page, the histories, the originals of duplicates: one statement each
      expect(counts).toEqual({ 3: 3, 30: 3 });
    } finally {
      counter.restore();
    }
  });
});
