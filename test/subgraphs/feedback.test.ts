import { pendingSchemaChanges } from '../../subgraphs/kit/db';
import { MAX_PAGE_SIZE } from '../../subgraphs/kit/pagination';
import { createTestDatabase, type TestDatabase } from '../databases';
import { insertFeedback } from '../factories/feedback';
import { testInstant, UNITS } from '../factories/sequence';
import { countStatements } from '../statement-counter';
import { startSubgraph, type RunningSubgraph } from '../subgraph-http';

const READ = ['feedback:read'];
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

let db: TestDatabase;
let sg: RunningSubgraph;

beforeAll(async () => {
  db = await createTestDatabase('feedback');
  sg = await startSubgraph('feedback', db.dataSource);
});
afterAll(async () => {
  await sg?.close();
  await db?.drop();
});

interface Page {
  feedbackList: {
    edges: { cursor: string; node: { id: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}
const LIST = `query($status: FeedbackStatus, $provinceCode: ID, $first: Int, $after: String) {
  feedbackList(status: $status, provinceCode: $provinceCode, first: $first, after: $after) {
    edges { cursor node { id } } pageInfo { hasNextPage endCursor }
  }
}`;

test('feedback(id) returns the stored report with its locality and assignee', async () => {
  const f = await insertFeedback(db.dataSource, { status: 'ASSIGNED', assigneeCode: 'SYT-HN', wardCode: null });
  const res = await sg.graphql(
    `query($id: ID!) { feedback(id: $id) {
      id channel category description reportedAt status
      province { code } district { code } ward { code } assignee { code }
    } }`,
    { id: f.id },
    { scopes: READ },
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
        status: 'ASSIGNED',
        province: { code: UNITS.haNoi.province },
        district: { code: UNITS.haNoi.district },
        ward: null,
        assignee: { code: 'SYT-HN' },
      },
    },
  });
});

test('feedback(id) is null for an unknown id', async () => {
  const res = await sg.graphql(`{ feedback(id: "${UNKNOWN_ID}") { id } }`, {}, { scopes: READ });
  expect(res.body).toEqual({ data: { feedback: null } });
});

test('feedbackList pages newest first by keyset cursor, filtered by status and province', async () => {
  // Five in Hồ Chí Minh City, two of which share one instant (the id breaks the tie), one elsewhere.
  const same = testInstant(5_000);
  const rows = [
    await insertFeedback(db.dataSource, { provinceCode: UNITS.hoChiMinh.province, reportedAt: testInstant(4_000) }),
    await insertFeedback(db.dataSource, { provinceCode: UNITS.hoChiMinh.province, reportedAt: same }),
    await insertFeedback(db.dataSource, { provinceCode: UNITS.hoChiMinh.province, reportedAt: same }),
    await insertFeedback(db.dataSource, { provinceCode: UNITS.hoChiMinh.province, reportedAt: testInstant(6_000) }),
    await insertFeedback(db.dataSource, {
      provinceCode: UNITS.hoChiMinh.province,
      reportedAt: testInstant(7_000),
      status: 'RESOLVED',
    }),
  ];
  await insertFeedback(db.dataSource, { provinceCode: '48', reportedAt: testInstant(5_500) });
  const expected = [rows[4]!, rows[3]!, rows[2]!, rows[1]!, rows[0]!].map((r) => r.id); // ids rise with insertion

  const seen: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 3; page++) {
    const res: { body: { data?: Page | null } } = await sg.graphql<Page>(
      LIST,
      { provinceCode: UNITS.hoChiMinh.province, first: 2, after },
      { scopes: READ },
    );
    const list = res.body.data!.feedbackList;
    seen.push(...list.edges.map((e) => e.node.id));
    expect(list.pageInfo.hasNextPage).toBe(page < 2);
    after = list.pageInfo.endCursor;
  }
  expect(seen).toEqual(expected);

  const resolved = await sg.graphql<Page>(
    LIST,
    { provinceCode: UNITS.hoChiMinh.province, status: 'RESOLVED' },
    { scopes: READ },
  );
  expect(resolved.body.data!.feedbackList.edges.map((e) => e.node.id)).toEqual([rows[4]!.id]);
});

test('feedbackList rejects a page size above the maximum, a bad cursor and a bad province code', async () => {
  const tooBig = await sg.graphql(LIST, { first: MAX_PAGE_SIZE + 1 }, { scopes: READ });
  expect(tooBig.body.errors?.[0]?.extensions).toEqual({
    code: 'BAD_USER_INPUT',
    field: 'first',
    requestId: expect.any(String),
  });
  const badCursor = await sg.graphql(LIST, { after: 'garbage' }, { scopes: READ });
  expect(badCursor.body.errors?.[0]?.extensions?.field).toBe('after');
  const forged = await sg.graphql(
    LIST,
    { after: Buffer.from('["yesterday","x"]').toString('base64url') },
    { scopes: READ },
  );
  expect(forged.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  const badProvince = await sg.graphql(LIST, { provinceCode: 'Hà Nội' }, { scopes: READ });
  expect(badProvince.body.errors?.[0]?.extensions?.field).toBe('provinceCode');
});

test('_entities resolves feedback in order, null for unknown ids, in one SQL statement', async () => {
  const a = await insertFeedback(db.dataSource);
  const b = await insertFeedback(db.dataSource);
  const counter = countStatements(db.dataSource);
  try {
    const res = await sg.graphql(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Feedback { id category } } }`,
      {
        r: [
          { __typename: 'Feedback', id: b.id },
          { __typename: 'Feedback', id: UNKNOWN_ID },
          { __typename: 'Feedback', id: a.id },
        ],
      },
      { scopes: READ },
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
  const res = await sg.graphql(LIST, {}, { token: null });
  expect(res.status).toBe(401);
  expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
});

test('reading without feedback:read is FORBIDDEN', async () => {
  const res = await sg.graphql(LIST, {}, { scopes: ['org:read'] });
  expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
});

test('entities and migrations have not drifted', async () => {
  expect(await pendingSchemaChanges(db.dataSource)).toEqual([]);
});
