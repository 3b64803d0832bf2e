import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../../scripts/postgres-cluster';
import { runTs, type Proc } from '../processes';
import { waitUntil } from './proxy';
import {
  checkpointRegistration,
  REGISTER_CHECKPOINT,
  startSubgraphProcess,
  type Answer,
  type SubgraphProcess,
} from './subgraph-process';

/*
 * A subgraph process and its PostgreSQL failing under it. The suite's shared PostgreSQL is never
 * touched: this file starts its own embedded cluster (own port, own data directory under a temporary
 * directory), which it stops and starts again.
 */

let dir: string;
let pgPort: number;
const password = randomBytes(12).toString('hex');
let cluster: Postgres | undefined;
let sub: SubgraphProcess | undefined;
const DATABASE = 'epidemic_checkpoints';

interface Postgres {
  proc: Proc;
  url(database: string): string;
  stop(): Promise<void>;
}

/** The dedicated cluster, run by a child process (test/resilience/postgres-main.ts). */
async function startPostgres(): Promise<Postgres> {
  const proc = runTs('test/resilience/postgres-main.ts', [], {
    PG_DATA_DIR: join(dir, 'data'),
    PG_PORT: String(pgPort),
    PG_PASSWORD: password,
    PG_DATABASE: DATABASE,
  });
  await proc.waitFor(/postgres ready/, 90_000);
  return {
    proc,
    url: (database) => `postgres://postgres:${password}@127.0.0.1:${pgPort}/${database}`,
    stop: async () => {
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM');
      await proc.exited;
    },
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'epf-outage-'));
  await chmod(dir, 0o755); // as root, the cluster runs as `postgres`, which must reach its data directory
  pgPort = await freePort();
});
afterAll(async () => {
  sub?.kill();
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Measured figures, printed for the record (never asserted: no timing assertions). */
const figure = (line: string) => process.stdout.write(`[figures] ${line}\n`);

const MASKED = new Set(['Internal server error', 'Service temporarily unavailable']);

function expectMasked(answer: Answer): void {
  const text = JSON.stringify(answer.body);
  for (const e of answer.body.errors ?? []) expect(MASKED.has(e.message)).toBe(true);
  expect(text).not.toMatch(/127\.0\.0\.1|localhost|postgres|ECONN|SELECT|INSERT|relation|\bat \S+:\d+/i);
}

test('PostgreSQL down at start-up: the subgraph stays up, retries with backoff, and is ready once it connects', async () => {
  sub = await startSubgraphProcess('checkpoints', dir, {
    DATABASE_URL: `postgres://postgres:${password}@127.0.0.1:${pgPort}/${DATABASE}`,
    SHUTDOWN_GRACE_MS: '5000',
  });
  await sub.proc.waitFor(/"attempt":2\b.*database not reachable; retrying/, 60_000);
  expect((await fetch(`${sub.base}/healthz`)).status).toBe(200);
  expect(await sub.readyz()).toBe(503);
  const early = await sub.query('{ checkpoints(first: 1) { edges { node { id } } } }');
  expect(early.status).toBe(503);
  expect(early.body.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
  expectMasked(early);

  cluster = await startPostgres(); // creates the database too
  const up = Date.now();
  await waitUntil(async () => (await sub!.readyz()) === 200, 60_000, 'the subgraph to become ready');
  figure(`ready ${Date.now() - up} ms after PostgreSQL came up (backoff capped at 5 s)`);
  const res = await sub.query('{ checkpoints(first: 1) { edges { node { id } } } }');
  expect(res.status).toBe(200);
  expect(res.body.errors).toBeUndefined();
  expect(sub.proc.child.exitCode).toBeNull();
}, 120_000);

test('PostgreSQL restarted under steady load: no exit, fast masked failures, recovery by itself, no acknowledged write lost', async () => {
  if (!sub || !cluster) throw new Error('needs the subgraph and cluster of the previous test');
  const acked = new Set<string>();
  const failures: { at: number; ms: number; answer?: Answer; hung?: string }[] = [];
  const successes: number[] = [];
  let stop = false;
  let n = 0;
  const deadline = Date.now() + 90_000; // the load stops by itself whatever happens

  const worker = async () => {
    while (!stop && Date.now() < deadline) {
      const name = `load-${n++}`;
      const write = n % 2 === 0;
      const started = Date.now();
      try {
        const answer = write
          ? await sub!.query(REGISTER_CHECKPOINT, { input: checkpointRegistration(name) })
          : await sub!.query('{ checkpoints(first: 5) { edges { node { id } } } }');
        if (answer.status === 200 && !answer.body.errors) {
          successes.push(Date.now());
          if (write) acked.add(name);
        } else {
          failures.push({ at: started, ms: Date.now() - started, answer });
        }
      } catch (e) {
        failures.push({ at: started, ms: Date.now() - started, hung: (e as Error).message });
      }
    }
  };
  const workers = [worker(), worker()];
  try {
    await waitUntil(() => acked.size >= 15, 30_000, 'writes before the restart');

    const down = Date.now();
    await cluster.stop(); // fast shutdown: open transactions are rolled back, connections cut
    await waitUntil(() => failures.filter((f) => f.at >= down).length >= 5, 30_000, 'failures during the outage');
    expect(await sub.readyz()).toBe(503);

    cluster = await startPostgres(); // same data directory and port
    const up = Date.now();
    await waitUntil(() => successes.some((t) => t > up), 30_000, 'service to resume by itself');
    const recovered = successes.find((t) => t > up)! - up;
    const ackedAtRecovery = acked.size;
    await waitUntil(() => acked.size >= ackedAtRecovery + 10, 30_000, 'writes after the restart');
    stop = true;
    await Promise.all(workers);

    const during = failures.filter((f) => f.at >= down);
    figure(
      `outage ${up - down} ms; first success ${recovered} ms after PostgreSQL was back; ` +
        `${during.length} failed requests, slowest ${Math.max(...during.map((f) => f.ms))} ms; ` +
        `${acked.size} acknowledged writes`,
    );
    expect(sub.proc.child.exitCode).toBeNull();
    expect(failures.filter((f) => f.hung)).toEqual([]); // each failure was an answer, none hung past 15 s
    for (const f of failures) expectMasked(f.answer!);
    await waitUntil(async () => (await sub!.readyz()) === 200, 30_000, 'readiness after the restart');

    const client = new Client({ connectionString: cluster.url(DATABASE) });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>(`SELECT name FROM checkpoint WHERE name LIKE 'load-%'`);
      const stored = new Set(rows.map((r) => r.name));
      expect([...acked].filter((name) => !stored.has(name))).toEqual([]);
    } finally {
      await client.end();
    }
  } finally {
    stop = true;
    await Promise.all(workers);
  }

  // and the process still stops cleanly
  sub.proc.child.kill('SIGTERM');
  expect(await sub.proc.exited).toBe(0);
}, 180_000);
