import { insertCheckpoint } from '../factories/checkpoints';
import { startFaultProxy, type FaultProxy } from '../resilience/proxy';
import { startStack, type Stack } from '../stack';

/*
 * Entity fetches made smaller (issue 8, gateway/entity-fetch.ts): each distinct representation is
 * sent once, and entities a subgraph marks cacheable (Cache-Control from its @cacheControl hints:
 * administrative units) are kept per caller. A proxy in front of organisations records what the
 * gateway sends and what the subgraph answers.
 */

let proxy: FaultProxy;
let otherProxy: FaultProxy;
let stack: Stack;
let uncached: Stack;

const routeThrough = (p: FaultProxy) => (name: string, url: string) => {
  if (name !== 'organisations') return url;
  p.target = url;
  return p.url;
};

beforeAll(async () => {
  proxy = await startFaultProxy();
  otherProxy = await startFaultProxy();
  stack = await startStack({ routeSubgraph: routeThrough(proxy) });
  uncached = await startStack({
    routeSubgraph: routeThrough(otherProxy),
    subgraphTransport: { entityCache: { maxEntries: 0, maxAgeSeconds: 300 } },
  });
});
afterAll(async () => {
  await stack?.stop();
  await uncached?.stop();
  await proxy?.close();
  await otherProxy?.close();
});

const CHECKPOINTS = `query($unit: ID!) {
  checkpoints(unitCode: $unit, first: 20) { edges { node { id name province { code name } district { code name } } } }
}`;

/** The `_entities` calls organisations received since `from`, with their representations. */
function entityCalls(from: number, through: FaultProxy = proxy) {
  return through.exchanges
    .slice(from)
    .map((e) => ({ ...(JSON.parse(e.body) as { query: string; variables?: { representations?: unknown[] } }), e }))
    .filter((b) => b.query.includes('_entities'));
}

type Checkpoints = {
  checkpoints: {
    edges: {
      node: { id: string; province: { code: string; name: string }; district: { code: string; name: string } | null };
    }[];
  };
};

async function seedCheckpoints(s: Stack, province: string, n: number) {
  for (let i = 0; i < n; i++) {
    await insertCheckpoint(s.db.checkpoints, { provinceCode: province, districtCode: null, wardCode: null });
  }
}

test('sends each distinct representation once and spreads the answer to every place', async () => {
  await seedCheckpoints(stack, '01', 4);
  await seedCheckpoints(stack, '79', 1);
  const from = proxy.exchanges.length;
  const res = await stack.as('dev-health-01', { purpose: 'dedupe-test' }).query<Checkpoints>(CHECKPOINTS, {
    unit: '01',
  });
  expect(res.body.errors).toBeUndefined();
  const nodes = res.body.data!.checkpoints.edges.map((e) => e.node);
  expect(nodes).toHaveLength(4);
  for (const n of nodes) expect(n.province).toEqual({ code: '01', name: 'Thành phố Hà Nội' });
  const calls = entityCalls(from);
  expect(calls).toHaveLength(1);
  expect(calls[0]!.variables!.representations).toEqual([{ __typename: 'AdministrativeUnit', code: '01' }]);
  // what lets the gateway keep it: the subgraph's own cache hint
  expect(calls[0]!.e.responseHeaders?.['cache-control']).toBe('max-age=300, public');
});

test("keeps cacheable entities per caller: the same caller's next fetch sends only what it lacks", async () => {
  await seedCheckpoints(stack, '79', 2);
  const caller = stack.as('dev-centre-admin', { purpose: 'cache-test' });
  const first = proxy.exchanges.length;
  const a = await caller.query<Checkpoints>(CHECKPOINTS, { unit: '01' });
  expect(a.body.errors).toBeUndefined();
  expect(entityCalls(first)).toHaveLength(1);

  const second = proxy.exchanges.length;
  const b = await caller.query<Checkpoints>(CHECKPOINTS, { unit: '01' });
  expect(b.body).toEqual(a.body);
  expect(entityCalls(second)).toHaveLength(0); // every unit from the cache

  // a unit not yet kept is fetched alone; the one kept comes from the cache
  const both = `{
    hn: checkpoints(unitCode: "01", first: 20) { edges { node { province { code name } } } }
    hcm: checkpoints(unitCode: "79", first: 20) { edges { node { province { code name } } } }
  }`;
  const third = proxy.exchanges.length;
  const c = await caller.query<Record<string, Checkpoints['checkpoints']>>(both);
  expect(c.body.errors).toBeUndefined();
  expect(c.body.data!.hn!.edges.map((e) => e.node.province.name)).toContain('Thành phố Hà Nội');
  const hcm = c.body.data!.hcm!.edges.map((e) => e.node.province);
  expect(hcm.length).toBeGreaterThanOrEqual(2);
  for (const p of hcm) expect(p).toEqual({ code: '79', name: 'Thành phố Hồ Chí Minh' });
  expect(entityCalls(third).map((x) => x.variables!.representations)).toEqual([
    [{ __typename: 'AdministrativeUnit', code: '79' }],
  ]);

  // another caller, or the same caller with another purpose, is never served from this caller's entries
  for (const other of [
    stack.as('dev-health-01', { purpose: 'cache-test' }),
    stack.as('dev-centre-admin', { purpose: 'another purpose' }),
  ]) {
    const before = proxy.exchanges.length;
    const r = await other.query<Checkpoints>(CHECKPOINTS, { unit: '01' });
    expect(r.body.errors).toBeUndefined();
    expect(entityCalls(before)).toHaveLength(1);
  }
});

test('with the entity cache off, every fetch goes to the subgraph (representations still sent once)', async () => {
  await seedCheckpoints(uncached, '01', 3);
  const caller = uncached.as('dev-health-01', { purpose: 'off' });
  for (let i = 0; i < 2; i++) {
    const before = otherProxy.exchanges.length;
    const r = await caller.query<Checkpoints>(CHECKPOINTS, { unit: '01' });
    expect(r.body.data!.checkpoints.edges).toHaveLength(3);
    const calls = entityCalls(before, otherProxy);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.variables!.representations).toHaveLength(1);
  }
});
