import { startStack, type GraphQLResponse, type Stack } from '../stack';
import { startFaultProxy, type FaultProxy } from './proxy';

/*
 * How the gateway behaves when a subgraph fails, through the real stack over HTTP: a proxy in
 * front of the checkpoints subgraph drops or holds requests on demand.
 */

let stack: Stack;
let proxy: FaultProxy;

beforeAll(async () => {
  proxy = await startFaultProxy();
  stack = await startStack({
    // the default bound stays long; only checkpoints gets a short one (a per-subgraph override)
    subgraphTransport: { timeoutMs: 30_000, timeoutMsBySubgraph: { checkpoints: 3_000 } },
    routeSubgraph: (name, url) => {
      if (name !== 'checkpoints') return url;
      proxy.target = url;
      return proxy.url;
    },
  });
});
afterAll(async () => {
  await stack?.stop();
  await proxy?.close();
});

const official = () => stack.as('dev-health-01');
const MISSING = '00000000-0000-4000-8000-000000000000';

/** Nothing a client could learn the topology or the code from. */
function expectNoInternals(res: GraphQLResponse): void {
  const text = JSON.stringify(res.body);
  expect(text).not.toMatch(/127\.0\.0\.1|localhost|https?:|:\d{4,5}\b/);
  expect(text).not.toMatch(/ECONN|UND_ERR|socket|stack|\bat \S+:\d+|fetch failed|timeout/i);
}

const REGISTER = `mutation($input: RegisterCheckpointInput!) { registerCheckpoint(input: $input) { id name } }`;
const registration = (name: string) => ({
  name,
  kind: 'URBAN_CHECKPOINT',
  provinceCode: '01',
  latitude: 21.0453,
  longitude: 105.8468,
  operatorCode: 'HN-PC',
  scanMode: 'OPERATOR_SCANS_PERSON',
  activeFrom: new Date(Date.now() - 3_600_000).toISOString(),
});
const stored = async (name: string) =>
  Number(
    (
      (await stack.db.checkpoints.query('SELECT count(*)::int AS n FROM checkpoint WHERE name = $1', [name])) as {
        n: number;
      }[]
    )[0]!.n,
  );

test('a slow subgraph is cut at its own timeout; the other subgraphs still answer', async () => {
  proxy.hold(); // checkpoints never answers until released
  try {
    const res = await official().query<{ organisations: { code: string }[]; checkpoint: unknown }>(
      `query($id: ID!) { organisations { code } checkpoint(id: $id) { name } }`,
      { id: MISSING },
    );
    expect(res.status).toBe(200);
    expect(res.body.data!.organisations.length).toBeGreaterThan(0);
    expect(res.body.data!.checkpoint).toBeNull();
    expect(res.body.errors).toEqual([
      {
        message: 'A part of the graph is temporarily unavailable; retry shortly',
        extensions: { code: 'SERVICE_UNAVAILABLE', requestId: expect.any(String) },
      },
    ]);
    expect(proxy.held).toBe(1);
    expectNoInternals(res);
  } finally {
    proxy.dropHeld();
  }
});

test('a query that meets a dropped connection is sent once more and succeeds', async () => {
  const before = { requests: proxy.requests, forwarded: proxy.forwarded, calls: stack.subgraphCalls.checkpoints };
  proxy.dropBeforeForwarding(1);
  const res = await official().query<{ checkpoints: { edges: unknown[] } }>(
    `{ checkpoints(first: 1) { edges { node { id } } } }`,
  );
  expect(res.body.errors).toBeUndefined();
  expect(res.body.data!.checkpoints.edges).toBeInstanceOf(Array);
  expect(proxy.requests - before.requests).toBe(2); // the dropped one, then the retry
  expect(proxy.forwarded - before.forwarded).toBe(1);
  expect(stack.subgraphCalls.checkpoints - before.calls).toBe(1);
});

test('a mutation whose answer is lost is never sent again: one write, and a masked error', async () => {
  const before = { requests: proxy.requests, calls: stack.subgraphCalls.checkpoints };
  proxy.dropAfterForwarding(1); // the subgraph applies it; the gateway never hears back
  const res = await official().query(REGISTER, { input: registration('Chốt thử mất kết nối') });
  expect(res.status).toBe(200);
  expect(res.body.data).toBeNull();
  expect(res.body.errors).toEqual([
    {
      message: 'A part of the graph is temporarily unavailable; retry shortly',
      extensions: { code: 'SERVICE_UNAVAILABLE', requestId: expect.any(String) },
    },
  ]);
  expectNoInternals(res);
  expect(proxy.requests - before.requests).toBe(1);
  expect(stack.subgraphCalls.checkpoints - before.calls).toBe(1);
  expect(await stored('Chốt thử mất kết nối')).toBe(1);

  // dropped before it reached the subgraph: still not retried, nothing written
  proxy.dropBeforeForwarding(1);
  const lost = await official().query(REGISTER, { input: registration('Chốt thử bị chặn') });
  expect(lost.body.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
  expect(proxy.requests - before.requests).toBe(2);
  expect(stack.subgraphCalls.checkpoints - before.calls).toBe(1);
  expect(await stored('Chốt thử bị chặn')).toBe(0);

  // and a healthy mutation goes through once
  const ok = await official().query(REGISTER, { input: registration('Chốt thử bình thường') });
  expect(ok.body.errors).toBeUndefined();
  expect(await stored('Chốt thử bình thường')).toBe(1);
});

test('the gateway keeps connections to a subgraph alive: many requests, few connections', async () => {
  const before = { connections: proxy.connections, requests: proxy.requests };
  for (let i = 0; i < 30; i++) {
    const res = await official().query(`{ checkpoints(first: 1) { edges { node { id } } } }`);
    expect(res.body.errors).toBeUndefined();
  }
  // distinct documents: identical ones in flight together would share one call (SUBGRAPH_DEDUPE)
  const parallel = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      official().query(`{ checkpoints(first: ${i + 1}) { edges { node { id } } } }`),
    ),
  );
  for (const res of parallel) expect(res.body.errors).toBeUndefined();
  expect(proxy.requests - before.requests).toBe(40);
  // 40 requests: sequential ones share one connection, ten parallel ones need at most ten
  expect(proxy.connections - before.connections).toBeLessThanOrEqual(11);
});

// Last: the feedback subgraph stays down for the rest of this file.
test('a subgraph down: 200 with the healthy subgraphs data, null where it would have answered, a generic error', async () => {
  await stack.stopSubgraph('feedback');
  const res = await official().query<{ organisations: { code: string }[]; feedback: unknown }>(
    `query($id: ID!) { organisations { code } feedback(id: $id) { id status } }`,
    { id: MISSING },
  );
  expect(res.status).toBe(200);
  expect(res.body.data!.organisations.length).toBeGreaterThan(0);
  expect(res.body.data!.feedback).toBeNull();
  expect(res.body.errors).toEqual([
    {
      message: 'A part of the graph is temporarily unavailable; retry shortly',
      extensions: { code: 'SERVICE_UNAVAILABLE', requestId: expect.any(String) },
    },
  ]);
  expectNoInternals(res);

  // readiness stays 200 (one subgraph must not take the gateway out), naming the failed subgraph only
  const ready = await fetch(new URL('/readyz', stack.gatewayUrl));
  expect(ready.status).toBe(200);
  const body = (await ready.json()) as { checks: Record<string, string> };
  expect(body.checks['subgraph:feedback']).toBe('unreachable');
  expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|http/);
});
