import { captureLogs } from '../log-capture';
import { startStack, type Stack } from '../stack';

/**
 * Every response carries `x-request-id`, every error in it names the same id (so a caller can quote
 * it), and the JSON log lines of that request — gateway and subgraphs — carry it too.
 */

let stack: Stack;
const logs = captureLogs('stack');
beforeAll(async () => {
  stack = await startStack({ logger: logs.logger });
});
afterAll(async () => {
  await stack?.stop();
});

test('a refused token: 401 with the request id in the header and the error', async () => {
  const res = await stack.post({ query: '{ __typename }' }, { authorization: 'Bearer not-a-token' });
  expect(res.status).toBe(401);
  const id = res.headers.get('x-request-id');
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', requestId: id });
});

test('a GraphQL error names the request id, and the gateway and subgraph log lines carry it', async () => {
  const res = await stack
    .as('dev-health-01')
    .query(`query BadPage { checkpoints(first: -1) { edges { node { id } } } }`);
  const id = res.headers.get('x-request-id');
  expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', requestId: id });
  const lines = logs.lines().filter((l) => l.requestId === id);
  expect(new Set(lines.map((l) => l.service))).toEqual(new Set(['stack']));
  expect(lines.filter((l) => l.msg === 'operation completed').length).toBeGreaterThanOrEqual(2);
  for (const l of lines) expect(typeof l.time).toBe('string');
});

test('a subgraph called without the gateway token answers 401 with a request id of its own', async () => {
  const res = await fetch(stack.subgraphUrls.checkpoints, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  expect(res.status).toBe(401);
  const id = res.headers.get('x-request-id');
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  const body = (await res.json()) as { errors: { extensions: Record<string, unknown> }[] };
  expect(body.errors[0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', requestId: id });
});

test('an unavailable subgraph: the masked error names the request id', async () => {
  await stack.stopSubgraph('movement');
  const res = await stack
    .as('dev-health-79')
    .query(`{ inboundMovements(destinationUnitCode: "79", first: 1) { edges { node { id } } } }`);
  const id = res.headers.get('x-request-id');
  expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', requestId: id });
  expect(logs.lines().some((l) => l.requestId === id && l.msg === 'operation completed')).toBe(true);
});

test('answers carry no ETag (a hash of every body, for POSTed answers no client revalidates)', async () => {
  const ok = await stack.as('dev-health-01').query(`{ __typename }`);
  expect(ok.status).toBe(200);
  expect(ok.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  expect(ok.headers.get('etag')).toBeNull();
  const subgraph = await fetch(stack.subgraphUrls.checkpoints, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  expect(subgraph.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  expect(subgraph.headers.get('etag')).toBeNull();
});
