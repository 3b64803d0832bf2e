import { insertCheckpoint } from '../factories/checkpoints';
import { startFaultProxy, type FaultProxy } from '../resilience/proxy';
import { startStack, type Stack } from '../stack';

/*
 * In-flight de-duplication of subgraph calls (issue 8): identical queries in flight at the same time
 * for the same caller (principal, scopes, jurisdiction and purpose) share one subgraph call; another
 * caller, another purpose or a mutation never shares. A proxy in front of checkpoints holds calls so
 * they are surely in flight together (no timing assumptions).
 */

let proxy: FaultProxy;
const stacks: Stack[] = [];

async function stackWith(dedupe: boolean): Promise<Stack> {
  const stack = await startStack({
    subgraphTransport: { dedupe },
    routeSubgraph: (name, url) => {
      if (name !== 'checkpoints') return url;
      proxy.target = url;
      return proxy.url;
    },
  });
  stacks.push(stack);
  return stack;
}

beforeAll(async () => {
  proxy = await startFaultProxy();
});
afterAll(async () => {
  for (const s of stacks) await s.stop();
  await proxy?.close();
});

async function until(done: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const CHECKPOINT = 'query($id: ID!) { checkpoint(id: $id) { id name } }';

test('identical queries of one caller share one subgraph call; another caller or purpose gets its own', async () => {
  const stack = await stackWith(true);
  const cp = await insertCheckpoint(stack.db.checkpoints, { provinceCode: '01', districtCode: null, wardCode: null });
  // warm the principal cache and plans so every request reaches the subgraph call together
  await stack.as('dev-health-01', { purpose: 'a' }).query(CHECKPOINT, { id: cp.id });
  await stack.as('dev-checkpoint-01', { purpose: 'a' }).query(CHECKPOINT, { id: cp.id });
  const before = proxy.requests;

  proxy.hold();
  const same = Array.from({ length: 5 }, () =>
    stack.as('dev-health-01', { purpose: 'a' }).query<{ checkpoint: { name: string } }>(CHECKPOINT, { id: cp.id }),
  );
  const otherPurpose = stack.as('dev-health-01', { purpose: 'b' }).query(CHECKPOINT, { id: cp.id });
  const otherCaller = stack.as('dev-checkpoint-01', { purpose: 'a' }).query(CHECKPOINT, { id: cp.id });
  await until(() => proxy.held >= 3);
  // give any (wrongly) unshared duplicate the chance to arrive before counting
  await new Promise((r) => setTimeout(r, 300));
  expect(proxy.held).toBe(3);
  proxy.release();

  const answers = await Promise.all(same);
  for (const a of answers) expect(a.body).toEqual({ data: { checkpoint: { id: cp.id, name: cp.name } } });
  expect((await otherPurpose).body.errors).toBeUndefined();
  expect((await otherCaller).body.errors).toBeUndefined();
  expect(proxy.requests - before).toBe(3);
});

test('a mutation is never shared, even when identical and in flight together', async () => {
  const stack = await stackWith(true);
  const missing = '00000000-0000-4000-8000-00000000dead';
  const before = proxy.requests;
  proxy.hold();
  const m = () =>
    stack.as('dev-health-01').query(`mutation($id: ID!) { closeCheckpoint(id: $id, reason: "test") { id } }`, {
      id: missing,
    });
  const runs = [m(), m()];
  await until(() => proxy.held >= 2);
  proxy.release();
  const res = await Promise.all(runs);
  for (const r of res) expect(r.body.errors![0]!.extensions!.code).toBe('NOT_FOUND');
  expect(proxy.requests - before).toBe(2);
});

test('with SUBGRAPH_DEDUPE off, every query goes on its own', async () => {
  const stack = await stackWith(false);
  const cp = await insertCheckpoint(stack.db.checkpoints, { provinceCode: '01', districtCode: null, wardCode: null });
  await stack.as('dev-health-01', { purpose: 'a' }).query(CHECKPOINT, { id: cp.id });
  const before = proxy.requests;
  proxy.hold();
  const runs = Array.from({ length: 3 }, () =>
    stack.as('dev-health-01', { purpose: 'a' }).query(CHECKPOINT, { id: cp.id }),
  );
  await until(() => proxy.held >= 3);
  proxy.release();
  await Promise.all(runs);
  expect(proxy.requests - before).toBe(3);
});
