import { insertCheckpoint } from '../factories/checkpoints';
import { startStack, type Stack } from '../stack';

/**
 * /metrics in Prometheus format: the gateway counts operations, latency and errors by operation
 * name and code and times each subgraph call; each subgraph does the same for the operations it
 * receives and reports its database pool. Labels never carry variables or personal data.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const base = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, '');

async function scrape(graphqlUrl: string): Promise<string> {
  const res = await fetch(`${base(graphqlUrl)}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

/** The value of one series, e.g. `graphql_requests_total{operation="X",service="gateway"}`. */
function value(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

test('the gateway and the subgraphs expose request, latency, error, subgraph-call and pool series', async () => {
  const health = stack.as('dev-health-01');
  const phone = '0912345678';
  for (let i = 0; i < 2; i++) {
    const ok = await health.query(`query UnitName { administrativeUnit(code: "01") { name } }`);
    expect(ok.body.errors).toBeUndefined();
  }
  const bad = await health.query(`query BadFirst($n: Int) { checkpoints(first: $n) { edges { node { id } } } }`, {
    n: -1,
  });
  expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  await health.query(`query Lookup${phone} { administrativeUnit(code: "01") { name } }`);

  const gw = await scrape(stack.gatewayUrl);
  expect(value(gw, 'graphql_requests_total', { service: 'gateway', operation: 'UnitName' })).toBe(2);
  expect(value(gw, 'graphql_request_duration_seconds_count', { service: 'gateway', operation: 'UnitName' })).toBe(2);
  expect(value(gw, 'graphql_errors_total', { operation: 'BadFirst', code: 'BAD_USER_INPUT' })).toBe(1);
  expect(value(gw, 'graphql_requests_total', { operation: 'other' })).toBe(1);
  expect(
    value(gw, 'gateway_subgraph_requests_total', { subgraph: 'organisations', outcome: 'ok' }),
  ).toBeGreaterThanOrEqual(2);
  expect(value(gw, 'gateway_subgraph_request_duration_seconds_count', { subgraph: 'organisations' })).toBeGreaterThan(
    0,
  );
  expect(gw).not.toContain(phone);

  const sub = await scrape(stack.subgraphUrls.organisations);
  // the gateway names the operations it sends after the client's (UnitName__organisations__0)
  expect(sub).toMatch(/graphql_requests_total\{operation="UnitName__organisations__0",service="organisations"\} 2/);
  for (const state of ['total', 'idle', 'waiting']) {
    expect(value(sub, 'db_pool_connections', { state, service: 'organisations' })).toBeGreaterThanOrEqual(0);
  }
  expect(value(sub, 'db_pool_connections', { state: 'total', service: 'organisations' })).toBeGreaterThan(0);
  expect(sub).not.toContain(phone);
});

/** The value of a series with only the default `service` label. */
const plain = (text: string, name: string) => value(text, name, { service: 'gateway' }) ?? NaN;

test('the gateway counts what its transport spared: entity cache hits and misses, tokens signed', async () => {
  const caller = stack.as('dev-centre-admin', { purpose: 'metrics' });
  const q = `query Provinces { a: administrativeUnit(code: "01") { code } checkpoints(unitCode: "01", first: 5) { edges { node { province { name } } } } }`;
  await insertCheckpoint(stack.db.checkpoints, { provinceCode: '01', districtCode: null, wardCode: null });
  const before = await scrape(stack.gatewayUrl);
  const calls = (t: string) =>
    value(t, 'gateway_subgraph_requests_total', { subgraph: 'organisations', outcome: 'ok' }) ?? 0;
  expect((await caller.query(q)).body.errors).toBeUndefined(); // the unit is fetched and kept
  expect((await caller.query(q)).body.errors).toBeUndefined(); // the unit comes from the cache
  const after = await scrape(stack.gatewayUrl);
  expect(plain(after, 'gateway_entity_cache_misses_total') - plain(before, 'gateway_entity_cache_misses_total')).toBe(
    1,
  );
  expect(plain(after, 'gateway_entity_cache_hits_total') - plain(before, 'gateway_entity_cache_hits_total')).toBe(1);
  // organisations: the root field of each query, and one entity fetch (the cached one is not a call)
  expect(calls(after) - calls(before)).toBe(3);
  expect(plain(after, 'gateway_internal_tokens_signed_total')).toBeGreaterThan(0);
  expect(plain(after, 'gateway_subgraph_calls_shared_total')).not.toBeNaN(); // exposed (sharing: dedupe.test.ts)
});

test('a subgraph that cannot be reached counts as a failed call of that subgraph', async () => {
  await stack.stopSubgraph('feedback');
  const res = await stack
    .as('dev-hotline-01')
    .query(`query Overdue { overdueFeedback(first: 1) { edges { node { id } } } }`);
  expect(res.body.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
  const gw = await scrape(stack.gatewayUrl);
  expect(value(gw, 'gateway_subgraph_requests_total', { subgraph: 'feedback', outcome: 'failed' })).toBeGreaterThan(0);
  expect(value(gw, 'graphql_errors_total', { operation: 'Overdue', code: 'SERVICE_UNAVAILABLE' })).toBe(1);
});
