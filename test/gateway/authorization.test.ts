import { insertCheckpoint } from '../factories/checkpoints';
import { startStack, type Stack } from '../stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.stop();
});

const MIXED = 'query Mixed($id: ID!) { organisations { code } checkpoint(id: $id) { name } }';

test('a field the caller may not read is answered null with one FORBIDDEN error, and its subgraph is never called', async () => {
  const c = await insertCheckpoint(stack.db.checkpoints, { name: 'Chốt Pháp Vân' });
  const before = stack.subgraphCalls.checkpoints;
  const res = await stack.as('dev-analyst').query<{ organisations: unknown[]; checkpoint: null }>(MIXED, { id: c.id });
  expect(res.status).toBe(200);
  expect(res.body.data!.organisations.length).toBeGreaterThanOrEqual(9);
  expect(res.body.data!.checkpoint).toBeNull();
  expect(res.body.errors).toEqual([
    {
      message: 'Not authorised to read Query.checkpoint',
      path: ['checkpoint'],
      extensions: { code: 'FORBIDDEN', requestId: res.headers.get('x-request-id') },
    },
  ]);
  expect(stack.subgraphCalls.checkpoints).toBe(before);
});

test('the same operation is planned separately per removal set: no caller is served another caller’s trimmed plan', async () => {
  const c = await insertCheckpoint(stack.db.checkpoints, { name: 'Chốt Cầu Giẽ' });
  for (const [subject, expected] of [
    ['dev-analyst', null],
    ['dev-health-01', { name: 'Chốt Cầu Giẽ' }],
    ['dev-analyst', null],
    ['dev-checkpoint-01', { name: 'Chốt Cầu Giẽ' }],
  ] as const) {
    const res = await stack.as(subject).query<{ checkpoint: unknown }>(MIXED, { id: c.id });
    expect(res.body.data!.checkpoint).toEqual(expected);
    expect(res.body.errors?.length ?? 0).toBe(expected ? 0 : 1);
  }
});

test('in lists, a forbidden field is null in every item and reported once, with list indices collapsed', async () => {
  const res = await stack
    .as('dev-dpo') // grants:read without pii:read
    .query<{ users: { edges: { node: { subject: string; email: null } }[] } }>(
      '{ users(first: 3) { edges { node { subject email } } } }',
    );
  const nodes = res.body.data!.users.edges.map((e) => e.node);
  expect(nodes).toHaveLength(3);
  for (const n of nodes) expect(n).toEqual({ subject: expect.any(String) as unknown, email: null });
  expect(res.body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
    [['users', 'edges', 'node', 'email'], 'FORBIDDEN'],
  ]);
});

test('a forbidden mutation is not run: nothing is written', async () => {
  const before = (await stack.db.organisations.query('SELECT count(*)::int AS n FROM organisation')) as { n: number }[];
  const res = await stack
    .as('dev-analyst')
    .query(
      `mutation { registerOrganisation(input: { code: "X-ANALYST", name: "Should not exist", kind: OTHER }) { code } }`,
    );
  expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  expect(res.body.data).toBeNull(); // the mutation field is non-null: the null bubbles to data
  const after = (await stack.db.organisations.query('SELECT count(*)::int AS n FROM organisation')) as { n: number }[];
  expect(after[0]!.n).toBe(before[0]!.n);
});

test('several operations without a (known) operation name are a 400 naming the problem, not an internal error', async () => {
  const headers = {
    authorization: `Bearer ${await stack.token('dev-checkpoint-01')}`,
    'content-type': 'application/json',
  };
  const query = 'query A { organisations { code } } query B { organisations { code } }';
  const unnamed = await stack.post({ query }, headers);
  expect(unnamed.status).toBe(400);
  expect(unnamed.body.errors![0]).toMatchObject({
    message: 'Must provide operation name if query contains multiple operations.',
    extensions: { code: 'BAD_REQUEST' },
  });
  const unknown = await stack.post({ query, operationName: 'C' }, headers);
  expect(unknown.status).toBe(400);
  expect(unknown.body.errors![0]!.message).toBe('Unknown operation named "C".');
  const known = await stack.post<{ organisations: unknown[] }>({ query, operationName: 'B' }, headers);
  expect(known.status).toBe(200);
  expect(known.body.data!.organisations.length).toBeGreaterThan(0);
});
