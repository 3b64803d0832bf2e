import { pendingSchemaChanges } from '../../subgraphs/kit/db';
import { MAX_PAGE_SIZE } from '../../subgraphs/kit/pagination';
import { clearFeedback, insertFeedback } from '../factories/feedback';
import { testInstant, UNITS } from '../factories/sequence';
import { countStatements } from '../statement-counter';
import { expectForbidden, expectUnauthenticated, pageThrough } from '../subgraph-assertions';
import { useSubgraph } from '../subgraph-client';

const READER = { roles: ['hotline_operator'] }; // feedback:read, and org:read for the unit and organisation stubs
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

// The template database holds the development demo set: each test here starts from an empty table.
const sg = useSubgraph('feedback', { prepare: clearFeedback });

interface Page {
  feedbackList: {
    edges: { cursor: string; node: { id: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}
const LIST = `query($filter: FeedbackFilter, $first: Int, $after: String) {
  feedbackList(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id } } pageInfo { hasNextPage endCursor }
  }
}`;
/** The first release's top-level filters, kept (deprecated) for existing callers. */
const LEGACY_LIST = `query($status: FeedbackStatus, $provinceCode: ID, $first: Int, $after: String) {
  feedbackList(status: $status, provinceCode: $provinceCode, first: $first, after: $after) {
    edges { cursor node { id } } pageInfo { hasNextPage endCursor }
  }
}`;
const ids = (res: { body: { data?: Page | null } }) => res.body.data!.feedbackList.edges.map((e) => e.node.id);

test('feedback(id) returns the stored report with its locality, assignee, deadline and history', async () => {
  const f = await insertFeedback(sg.dataSource, {
    status: 'ASSIGNED',
    assigneeCode: 'SYT-HN',
    assigneeUnitCode: UNITS.haNoi.province,
    wardCode: null,
    locationAddress: 'Ngõ 12 Phúc Xá',
  });
  const res = await sg.query(
    `query($id: ID!) { feedback(id: $id) {
      id channel category description reportedAt recordedAt status
      province { code } district { code } ward { code } location { address latitude longitude }
      assignee { code } assigneeUnit { code } dueAt overdue resolution duplicateOf { id }
      history { actor from to assignee { code } note }
    } }`,
    { principal: READER, variables: { id: f.id } },
  );
  expect(res.status).toBe(200);
  expect(res.body).toEqual({
    data: {
      feedback: {
        id: f.id,
        channel: 'HOTLINE',
        category: 'QUARANTINE_BREACH',
        description: f.description,
        reportedAt: f.reportedAt.toISOString(),
        recordedAt: f.reportedAt.toISOString(),
        status: 'ASSIGNED',
        province: { code: UNITS.haNoi.province },
        district: { code: UNITS.haNoi.district },
        ward: null,
        location: { address: 'Ngõ 12 Phúc Xá', latitude: null, longitude: null },
        assignee: { code: 'SYT-HN' },
        assigneeUnit: { code: UNITS.haNoi.province },
        // a quarantine breach is due 4 hours after it was reported; still open in 2021, so overdue
        dueAt: new Date(f.reportedAt.getTime() + 4 * 3_600_000).toISOString(),
        overdue: true,
        resolution: null,
        duplicateOf: null,
        history: [{ actor: 'test:factory', from: null, to: 'ASSIGNED', assignee: { code: 'SYT-HN' }, note: null }],
      },
    },
  });
});

test('feedback(id) is null for an unknown id', async () => {
  const res = await sg.query(`{ feedback(id: "${UNKNOWN_ID}") { id } }`, { principal: READER });
  expect(res.body).toEqual({ data: { feedback: null } });
});

test('feedbackList pages newest first by keyset cursor, filtered by status and unit', async () => {
  // Five in Hồ Chí Minh City, two of which share one instant (the id breaks the tie), one elsewhere.
  const same = testInstant(5_000);
  const rows = [
    await insertFeedback(sg.dataSource, { provinceCode: UNITS.hoChiMinh.province, reportedAt: testInstant(4_000) }),
    await insertFeedback(sg.dataSource, { provinceCode: UNITS.hoChiMinh.province, reportedAt: same }),
    await insertFeedback(sg.dataSource, { provinceCode: UNITS.hoChiMinh.province, reportedAt: same }),
    await insertFeedback(sg.dataSource, { provinceCode: UNITS.hoChiMinh.province, reportedAt: testInstant(6_000) }),
    await insertFeedback(sg.dataSource, {
      provinceCode: UNITS.hoChiMinh.province,
      reportedAt: testInstant(7_000),
      status: 'RESOLVED',
    }),
  ];
  await insertFeedback(sg.dataSource, { provinceCode: '48', reportedAt: testInstant(5_500) });
  const expected = [rows[4]!, rows[3]!, rows[2]!, rows[1]!, rows[0]!].map((r) => r.id); // ids rise with insertion

  const seen = await pageThrough(
    3,
    async (after) =>
      (
        await sg.query<Page>(LIST, {
          principal: READER,
          variables: { filter: { unitCode: UNITS.hoChiMinh.province }, first: 2, after },
        })
      ).body.data!.feedbackList,
  );
  expect(seen.map((n) => n.id)).toEqual(expected);

  const resolved = await sg.query<Page>(LIST, {
    principal: READER,
    variables: { filter: { unitCode: UNITS.hoChiMinh.province, status: 'RESOLVED' } },
  });
  expect(ids(resolved)).toEqual([rows[4]!.id]);

  // The first release's arguments still work.
  const legacy = await sg.query<Page>(LEGACY_LIST, {
    principal: READER,
    variables: { provinceCode: UNITS.hoChiMinh.province, status: 'RESOLVED' },
  });
  expect(ids(legacy)).toEqual([rows[4]!.id]);
});

test('feedbackList filters by category, district, ward, assignee and reported period, all together', async () => {
  // A window of its own (year 2022), so other tests' rows never match.
  const at = (h: number) => testInstant(9_000 + h);
  const a = await insertFeedback(sg.dataSource, {
    category: 'SUPPORT_REQUEST',
    reportedAt: at(1),
    status: 'ASSIGNED',
    assigneeCode: 'HN-DOH',
  });
  const b = await insertFeedback(sg.dataSource, {
    category: 'SUPPORT_REQUEST',
    reportedAt: at(2),
    wardCode: '00004',
    status: 'ASSIGNED',
    assigneeCode: 'HN-CDC',
  });
  const c = await insertFeedback(sg.dataSource, { category: 'APP_PROBLEM', reportedAt: at(3), districtCode: '002' });
  const list = async (filter: Record<string, unknown>) =>
    ids(
      await sg.query<Page>(LIST, { principal: READER, variables: { filter: { from: at(0), to: at(4), ...filter } } }),
    );

  expect(await list({})).toEqual([c.id, b.id, a.id]);
  expect(await list({ category: 'SUPPORT_REQUEST' })).toEqual([b.id, a.id]);
  expect(await list({ unitCode: UNITS.haNoi.district })).toEqual([b.id, a.id]);
  expect(await list({ unitCode: '002' })).toEqual([c.id]);
  expect(await list({ unitCode: '00004' })).toEqual([b.id]);
  expect(await list({ assigneeCode: 'HN-DOH' })).toEqual([a.id]);
  expect(await list({ status: 'ASSIGNED', category: 'SUPPORT_REQUEST', assigneeCode: 'HN-CDC' })).toEqual([b.id]);
  // from is inclusive, to exclusive
  expect(await list({ from: at(2), to: at(3) })).toEqual([b.id]);
});

test('feedbackList rejects a page size above the maximum, a bad cursor, a bad unit and an empty period', async () => {
  const tooBig = await sg.query(LIST, { principal: READER, variables: { first: MAX_PAGE_SIZE + 1 } });
  expect(tooBig.body.errors?.[0]?.extensions).toEqual({
    code: 'BAD_USER_INPUT',
    field: 'first',
    requestId: expect.any(String),
  });
  const badCursor = await sg.query(LIST, { principal: READER, variables: { after: 'garbage' } });
  expect(badCursor.body.errors?.[0]?.extensions?.field).toBe('after');
  const forged = await sg.query(LIST, {
    principal: READER,
    variables: { after: Buffer.from('["yesterday","x"]').toString('base64url') },
  });
  expect(forged.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  const fieldOf = async (query: string, variables: Record<string, unknown>) =>
    (await sg.query(query, { principal: READER, variables })).body.errors?.[0]?.extensions?.field;
  expect(await fieldOf(LEGACY_LIST, { provinceCode: 'Hà Nội' })).toBe('provinceCode');
  expect(await fieldOf(LIST, { filter: { unitCode: '1234' } })).toBe('filter.unitCode');
  expect(await fieldOf(LIST, { filter: { assigneeCode: 'so y te' } })).toBe('filter.assigneeCode');
  expect(await fieldOf(LIST, { filter: { from: testInstant(2), to: testInstant(1) } })).toBe('filter.to');
  expect(
    await fieldOf(`query($f: FeedbackFilter) { feedbackList(filter: $f, status: RECEIVED) { edges { cursor } } }`, {
      f: { status: 'ASSIGNED' },
    }),
  ).toBe('status');
});

test('reporter and reported person are restricted: without restricted:read they are FORBIDDEN', async () => {
  const f = await insertFeedback(sg.dataSource, {
    reporterKind: 'PHONE',
    reporterPhone: '+84912345678',
    reportedRef: 't1.' + 'A'.repeat(43),
  });
  const q = `query($id: ID!) { feedback(id: $id) { id reporter { kind phone citizen { ref } } reportedPerson { ref } } }`;
  const withRestricted = await sg.query(q, {
    principal: { scopes: ['feedback:read', 'restricted:read', 'pii:read'] },
    variables: { id: f.id },
  });
  expect(withRestricted.body).toEqual({
    data: {
      feedback: {
        id: f.id,
        reporter: { kind: 'PHONE', phone: '+84912345678', citizen: null },
        reportedPerson: { ref: f.reportedRef },
      },
    },
  });
  // restricted:read without pii:read: the reporter is visible, the phone masked
  const masked = await sg.query(q, {
    principal: { scopes: ['feedback:read', 'restricted:read'] },
    variables: { id: f.id },
  });
  expect(masked.body).toEqual({
    data: {
      feedback: {
        id: f.id,
        reporter: { kind: 'PHONE', phone: '+84*******78', citizen: null },
        reportedPerson: { ref: f.reportedRef },
      },
    },
  });
  // health officials read feedback but not its restricted fields
  const without = await sg.query(q, { principal: { roles: ['health_official'] }, variables: { id: f.id } });
  expect(without.body.data).toEqual({ feedback: { id: f.id, reporter: null, reportedPerson: null } });
  expect(without.body.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([
    ['feedback.reporter', 'FORBIDDEN'],
    ['feedback.reportedPerson', 'FORBIDDEN'],
  ]);
});

test('_entities resolves feedback in order, null for unknown ids, in one SQL statement', async () => {
  const a = await insertFeedback(sg.dataSource);
  const b = await insertFeedback(sg.dataSource);
  const counter = countStatements(sg.dataSource);
  try {
    const res = await sg.query(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Feedback { id category } } }`,
      {
        principal: READER,
        variables: {
          r: [
            { __typename: 'Feedback', id: b.id },
            { __typename: 'Feedback', id: UNKNOWN_ID },
            { __typename: 'Feedback', id: a.id },
          ],
        },
      },
    );
    expect(res.body).toEqual({
      data: { _entities: [{ id: b.id, category: b.category }, null, { id: a.id, category: a.category }] },
    });
    expect(counter.statements).toHaveLength(1);
  } finally {
    counter.restore();
  }
});

test('a request without a gateway token gets HTTP 401', async () => {
  await expectUnauthenticated(sg, LIST);
});

test('reading without feedback:read is FORBIDDEN', async () => {
  await expectForbidden(sg, LIST, { scopes: ['org:read'] });
});

test('entities and migrations have not drifted', async () => {
  expect(await pendingSchemaChanges(sg.dataSource)).toEqual([]);
});
