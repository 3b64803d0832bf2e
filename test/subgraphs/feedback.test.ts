import { pendingSchemaChanges } from '../../subgraphs/kit/db';
import { MAX_PAGE_SIZE } from '../../subgraphs/kit/pagination';
import { insertFeedback } from '../factories/feedback';
import { testInstant, UNITS } from '../factories/sequence';
import { countStatements } from '../statement-counter';
import { expectForbidden, expectUnauthenticated, pageThrough } from '../subgraph-assertions';
import { useSubgraph } from '../subgraph-client';

const READER = { scopes: ['feedback:read'] };
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

const sg = useSubgraph('feedback');

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
  const f = await insertFeedback(sg.dataSource, { status: 'ASSIGNED', assigneeCode: 'SYT-HN', wardCode: null });
  const res = await sg.query(
    `query($id: ID!) { feedback(id: $id) {
      id channel category description reportedAt status
      province { code } district { code } ward { code } assignee { code }
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
  const res = await sg.query(`{ feedback(id: "${UNKNOWN_ID}") { id } }`, { principal: READER });
  expect(res.body).toEqual({ data: { feedback: null } });
});

test('feedbackList pages newest first by keyset cursor, filtered by status and province', async () => {
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
          variables: { provinceCode: UNITS.hoChiMinh.province, first: 2, after },
        })
      ).body.data!.feedbackList,
  );
  expect(seen.map((n) => n.id)).toEqual(expected);

  const resolved = await sg.query<Page>(LIST, {
    principal: READER,
    variables: { provinceCode: UNITS.hoChiMinh.province, status: 'RESOLVED' },
  });
  expect(resolved.body.data!.feedbackList.edges.map((e) => e.node.id)).toEqual([rows[4]!.id]);
});

test('feedbackList rejects a page size above the maximum, a bad cursor and a bad province code', async () => {
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
  const badProvince = await sg.query(LIST, { principal: READER, variables: { provinceCode: 'Hà Nội' } });
  expect(badProvince.body.errors?.[0]?.extensions?.field).toBe('provinceCode');
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
