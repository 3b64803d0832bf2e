import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../../scripts/postgres-cluster';
import { SUBGRAPHS } from '../../subgraphs/kit/module';
import { createTestDatabase, type TestDatabase } from '../databases';
import { runTs, type Proc } from '../processes';
import { startStack, type Stack } from '../stack';
import { startFaultProxy, waitUntil, type FaultProxy } from './proxy';
import { startSubgraphProcess, type SubgraphProcess } from './subgraph-process';

/*
 * SIGTERM, as an orchestrator sends it: /readyz turns 503 first (the process still listens, so the
 * load balancer sees it), in-flight requests finish within SHUTDOWN_GRACE_MS, then the process
 * exits 0. Subgraph and gateway each run as their own child process.
 */

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'epf-shutdown-'));
  await chmod(dir, 0o755);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const readyz = async (base: string) => {
  try {
    return (await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(5_000) })).status;
  } catch {
    return 0;
  }
};

describe('a subgraph process', () => {
  let db: TestDatabase;
  let sub: SubgraphProcess;
  let locker: Client;
  beforeAll(async () => {
    db = await createTestDatabase('checkpoints', 1);
    sub = await startSubgraphProcess('checkpoints', dir, { DATABASE_URL: db.url, SHUTDOWN_GRACE_MS: '20000' });
    await waitUntil(async () => (await sub.readyz()) === 200, 60_000, 'the subgraph to be ready');
    locker = new Client({ connectionString: db.url });
    await locker.connect();
  }, 90_000);
  afterAll(async () => {
    sub?.kill();
    await locker?.end().catch(() => undefined);
    await db?.drop();
  });

  test('on SIGTERM: not ready at once, finishes the request in flight, then exits 0', async () => {
    // a request that cannot finish until the test lets it: its table is locked
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE checkpoint IN ACCESS EXCLUSIVE MODE');
    let settled = false;
    const inFlight = sub.query('{ checkpoints(first: 1) { edges { node { id } } } }', {}, 30_000).finally(() => {
      settled = true;
    });
    await waitUntil(
      async () =>
        (
          await locker.query(
            `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
            [db.name],
          )
        ).rowCount! > 0,
      15_000,
      'the request to wait on the lock',
    );

    sub.proc.child.kill('SIGTERM');
    await waitUntil(async () => (await readyz(sub.base)) === 503, 10_000, '/readyz to answer 503');
    const body = (await (await fetch(`${sub.base}/readyz`)).json()) as { checks: Record<string, string> };
    expect(body.checks.process).toBe('draining');
    expect(settled).toBe(false);
    expect(sub.proc.child.exitCode).toBeNull();

    await locker.query('COMMIT');
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(await sub.proc.exited).toBe(0);
    expect(sub.proc.output()).toMatch(/shutting down: draining[\s\S]*"stopped"/);
  }, 60_000);
});

describe('the gateway process', () => {
  let stack: Stack;
  let proxy: FaultProxy;
  const gateways: Proc[] = [];
  beforeAll(async () => {
    proxy = await startFaultProxy();
    stack = await startStack({ keyDir: join(dir, 'keys') });
    proxy.target = stack.subgraphUrls.checkpoints;
  });
  afterAll(async () => {
    for (const g of gateways) if (g.child.exitCode === null && g.child.signalCode === null) g.child.kill('SIGKILL');
    await stack?.stop();
    await proxy?.close();
  });

  /** The gateway as `npm start` runs it, the checkpoints subgraph behind the test proxy. */
  async function startGateway(graceMs: number): Promise<{ proc: Proc; base: string }> {
    const port = await freePort();
    const env: Record<string, string> = {
      PORT: String(port),
      INTERNAL_SIGNING_KEY_FILE: stack.keyFiles!.internalPrivate,
      INTERNAL_JWKS_FILE: stack.keyFiles!.internalJwks,
      AUTH_JWKS_FILE: stack.keyFiles!.issuerJwks,
      SHUTDOWN_GRACE_MS: String(graceMs),
      SUBGRAPH_TIMEOUT_MS: '60000',
      LOG_LEVEL: 'info',
    };
    for (const name of SUBGRAPHS) env[`SUBGRAPH_URL_${name.toUpperCase()}`] = stack.subgraphUrls[name];
    env.SUBGRAPH_URL_CHECKPOINTS = proxy.url;
    const proc = runTs('gateway/main.ts', [], env);
    gateways.push(proc);
    const base = `http://127.0.0.1:${port}`;
    await proc.waitFor(/gateway listening/, 60_000);
    await waitUntil(async () => (await readyz(base)) === 200, 30_000, 'the gateway to be ready');
    return { proc, base };
  }

  const query = async (base: string) =>
    fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await stack.token('dev-health-01')}` },
      body: JSON.stringify({ query: '{ checkpoints(first: 1) { edges { node { id } } } }' }),
      signal: AbortSignal.timeout(30_000),
    });

  test('on SIGTERM: not ready at once, finishes the request in flight, then exits 0', async () => {
    const gw = await startGateway(20_000);
    proxy.hold();
    let settled = false;
    const inFlight = query(gw.base).finally(() => {
      settled = true;
    });
    await waitUntil(() => proxy.held === 1, 15_000, 'the request to reach the subgraph');

    gw.proc.child.kill('SIGTERM');
    await waitUntil(async () => (await readyz(gw.base)) === 503, 10_000, '/readyz to answer 503');
    expect(settled).toBe(false);
    expect(gw.proc.child.exitCode).toBeNull();

    proxy.release();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { errors?: unknown }).errors).toBeUndefined();
    expect(await gw.proc.exited).toBe(0);
  }, 90_000);

  test('a request still running when the grace period ends is cut, and the gateway exits 0 all the same', async () => {
    const gw = await startGateway(1_000);
    proxy.hold();
    const inFlight = query(gw.base).then(
      (res) => `answered ${res.status}`,
      () => 'cut',
    );
    await waitUntil(() => proxy.held === 1, 15_000, 'the request to reach the subgraph');
    gw.proc.child.kill('SIGTERM');
    expect(await gw.proc.exited).toBe(0);
    expect(await inFlight).toBe('cut');
    proxy.dropHeld();
  }, 90_000);
});
