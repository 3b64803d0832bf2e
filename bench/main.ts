/**
 * `npm run bench` (docs/PERFORMANCE.md): seeds a data set into a throwaway embedded PostgreSQL,
 * starts the five subgraphs in BENCH_MODE and three gateways (ours, stock @apollo/gateway, Hive
 * Gateway) as separate processes, then runs each scenario against each gateway in turn with
 * autocannon in its own process, and prints one table and the ratios.
 *
 *   npm run bench [-- --scale 1m --seed 42 --warmup 5 --duration 20 --rounds 1]
 *   npm run bench -- --scale 10m
 *   npm run bench:smoke
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { gatewayNodeArgs } from '../gateway/node-args';
import { ensureApplicationRole, ensureDatabase, freePort, startCluster } from '../scripts/postgres-cluster';
import { SUBGRAPHS, type SubgraphName } from '../subgraphs/kit/module';
import { ROOT, schemaFile } from '../subgraphs/kit/paths';
import { loadSecretKeyRingFile } from '../subgraphs/kit/secrets';
import { BENCH_AUDIENCE, BENCH_ISSUER, BENCH_PURPOSE, benchIdentity } from './identity';
import type { LoadResult } from './load';
import { cpuMs, peakRssMb, table, type Row } from './report';
import { readBodies, type BodySpec, type IngestSpec, type LoadSpec } from './scenarios';
import { benchRefs, parseScale, seed } from './seed';

const say = (msg: string) => process.stdout.write(`[bench] ${msg}\n`);

interface Options {
  scale: string;
  seed: number;
  warmup: number;
  duration: number;
  rounds: number;
  gateways: GatewayName[];
  /** Only the scenarios whose names contain one of these words (`--scenarios timeline,single`). */
  scenarios: string[] | null;
  /** `--statements`: print each window's most expensive SQL statements (pg_stat_statements). */
  statements: boolean;
}
type GatewayName = 'ours' | 'stock' | 'hive';

function options(argv: string[]): Options {
  const smoke = argv.includes('--smoke');
  const value = (name: string, fallback: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] ? argv[i + 1]! : fallback;
  };
  return {
    scale: value('scale', smoke ? '20k' : '1m'),
    seed: Number(value('seed', '42')),
    warmup: Number(value('warmup', smoke ? '1' : '5')),
    duration: Number(value('duration', smoke ? '3' : '20')),
    rounds: Number(value('rounds', '1')),
    gateways: value('gateways', 'ours,stock,hive').split(',') as GatewayName[],
    scenarios: argv.includes('--scenarios') ? value('scenarios', '').split(',').filter(Boolean) : null,
    statements: argv.includes('--statements'),
  };
}

interface Proc {
  name: string;
  child: ChildProcess;
  output: () => string;
}
const procs: Proc[] = [];

function launch(name: string, cmd: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const proc = { name, child, output: () => out };
  procs.push(proc);
  return proc;
}

async function waitReady(p: Proc, check: () => Promise<boolean>, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (p.child.exitCode !== null) throw new Error(`${p.name} exited during start-up:\n${p.output().slice(-3000)}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${p.name} was not ready within ${timeoutMs / 1000} s:\n${p.output().slice(-3000)}`);
}
const httpOk = (url: string, init?: RequestInit) => async () =>
  (await fetch(url, { ...init, signal: AbortSignal.timeout(2_000) })).ok;

async function stopAll(): Promise<void> {
  for (const p of [...procs].reverse()) {
    if (p.child.exitCode !== null || p.child.signalCode !== null) continue;
    const exited = new Promise((r) => p.child.once('exit', r));
    p.child.kill('SIGTERM');
    const timer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Total statements executed in the subgraphs' databases so far (pg_stat_statements). */
async function statements(admin: Client): Promise<number> {
  const r = await admin.query<{ calls: string }>(
    `SELECT coalesce(sum(s.calls), 0)::bigint AS calls FROM pg_stat_statements s
       JOIN pg_database d ON d.oid = s.dbid WHERE d.datname LIKE 'epidemic_%'`,
  );
  return Number(r.rows[0]!.calls);
}

type StatementTimes = Map<string, { query: string; calls: number; ms: number; planMs: number }>;

/** Calls, execution and planning time of each statement in the subgraphs' databases so far (pg_stat_statements). */
async function statementTimes(admin: Client): Promise<StatementTimes> {
  const r = await admin.query<{ key: string; query: string; calls: string; ms: number; plan_ms: number }>(
    `SELECT d.datname || ':' || s.queryid AS key, d.datname || ': ' || regexp_replace(s.query, '\\s+', ' ', 'g') AS query,
            s.calls, s.total_exec_time AS ms, s.total_plan_time AS plan_ms
       FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname LIKE 'epidemic_%'`,
  );
  return new Map(r.rows.map((x) => [x.key, { query: x.query, calls: Number(x.calls), ms: x.ms, planMs: x.plan_ms }]));
}

/** `--statements`: the statements that took the most execution plus planning time over a window, per request. */
function printTopStatements(before: StatementTimes, after: StatementTimes, requests: number): void {
  const rows = [...after]
    .map(([key, a]) => {
      const b = before.get(key);
      return {
        query: a.query,
        calls: a.calls - (b?.calls ?? 0),
        ms: a.ms - (b?.ms ?? 0),
        planMs: a.planMs - (b?.planMs ?? 0),
      };
    })
    .filter((x) => x.calls > 0)
    .sort((x, y) => y.ms + y.planMs - (x.ms + x.planMs))
    .slice(0, 8);
  for (const x of rows) {
    say(
      `  ${(x.ms / requests).toFixed(3).padStart(8)} ms/req executing, ${(x.planMs / requests).toFixed(3).padStart(7)} planning, ` +
        `${(x.calls / requests).toFixed(2).padStart(6)} calls/req  ${x.query.slice(0, 140)}`,
    );
  }
}

/**
 * Statements per request without background noise: `n` requests one after another, minus the
 * statements an idle window of the same length runs (readiness probes, timers); the least of three
 * such measurements (work still finishing from the previous scenario lands in one, not all three).
 * Under load the per-request figure also carries the background divided by the requests of the window.
 */
async function sequentialStatements(
  admin: Client,
  url: string,
  headers: Record<string, string>,
  body: string,
  n = 10,
): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) runs.push(await sequentialStatementsOnce(admin, url, headers, body, n));
  return Math.min(...runs);
}

async function sequentialStatementsOnce(
  admin: Client,
  url: string,
  headers: Record<string, string>,
  body: string,
  n: number,
): Promise<number> {
  const started = Date.now();
  const before = await statements(admin);
  for (let i = 0; i < n; i++) {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    await res.arrayBuffer();
  }
  const used = (await statements(admin)) - before;
  const elapsed = Date.now() - started;
  const idleBefore = await statements(admin);
  await new Promise((r) => setTimeout(r, elapsed));
  const idle = (await statements(admin)) - idleBefore;
  return Math.max(0, used - idle) / n;
}

/** GraphQL requests the five subgraphs have answered so far (their /metrics). */
async function subgraphCalls(ports: Record<string, number>): Promise<number> {
  let total = 0;
  for (const port of Object.values(ports)) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    for (const m of text.matchAll(/^graphql_requests_total\{[^}]*\} (\d+(?:\.\d+)?(?:e\+\d+)?)$/gm))
      total += Number(m[1]);
  }
  return total;
}

/** Runs one load process; CPU and statements are read when its measured window opens and ends. */
async function measure(
  spec: LoadSpec,
  gatewayPid: number | null,
  backendPids: () => { subgraphs: number[]; postgres: number },
  subgraphPorts: Record<string, number>,
  admin: Client,
  dir: string,
  topStatements = false,
): Promise<Omit<Row, 'scenario' | 'target'>> {
  const backendCpu = () => {
    const pids = backendPids();
    return { subgraphs: pids.subgraphs.reduce((sum, pid) => sum + cpuMs(pid), 0), postgres: cpuMs(pids.postgres) };
  };
  const file = join(dir, `load-${randomBytes(4).toString('hex')}.json`);
  await writeFile(file, JSON.stringify(spec));
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/load.ts', file], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let before:
    | {
        cpu: number;
        backendCpu: { subgraphs: number; postgres: number };
        statements: number;
        calls: number;
        times?: StatementTimes;
      }
    | undefined;
  const opened = new Promise<void>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!before && out.includes('MEASURE_START')) {
        before = { cpu: gatewayPid ? cpuMs(gatewayPid) : 0, backendCpu: backendCpu(), statements: 0, calls: 0 };
        void Promise.all([
          statements(admin),
          subgraphCalls(subgraphPorts),
          topStatements ? statementTimes(admin) : undefined,
        ]).then(([n, calls, times]) => {
          before!.statements = n;
          before!.calls = calls;
          before!.times = times;
          resolve();
        });
      }
    });
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  await opened.catch(() => undefined);
  const cpuAfter = gatewayPid ? cpuMs(gatewayPid) : 0;
  const backendCpuAfter = backendCpu();
  const statementsAfter = await statements(admin);
  const callsAfter = await subgraphCalls(subgraphPorts);
  await rm(file, { force: true });
  const m = /RESULT (.*)/.exec(out);
  if (code !== 0 || !m || !before) throw new Error(`load process failed (${code}): ${err.slice(-2000)}`);
  if (err.trim()) say(err.trim().split('\n')[0]!.slice(0, 400));
  const load = JSON.parse(m[1]!) as LoadResult;
  const n = Math.max(1, load.requests);
  if (before.times) printTopStatements(before.times, await statementTimes(admin), n);
  return {
    load,
    cpuMsPerRequest: gatewayPid ? (cpuAfter - before.cpu) / n : null,
    subgraphCpuMsPerRequest: (backendCpuAfter.subgraphs - before.backendCpu.subgraphs) / n,
    postgresCpuMsPerRequest: (backendCpuAfter.postgres - before.backendCpu.postgres) / n,
    peakRssMb: gatewayPid ? peakRssMb(gatewayPid) : null,
    statementsPerRequest: (statementsAfter - before.statements) / n,
    subgraphCallsPerRequest: (callsAfter - before.calls) / n,
  };
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  const scale = parseScale(opts.scale);
  const now = Date.now();
  const dir = join(ROOT, '.local', 'bench');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o755 });
  // as root PostgreSQL runs as the postgres user, who cannot reach a clone inside a 0700 home
  const dataDir = join(userInfo().uid === 0 ? '/var/tmp' : tmpdir(), `epidemic-bench-${process.pid}`, 'postgres');
  say(
    `scale: ${scale.passages} passages, ${scale.declarations} declarations, ${scale.citizens} citizens, ` +
      `${scale.checkpoints} checkpoints; seed ${opts.seed}; warm-up ${opts.warmup} s, measure ${opts.duration} s`,
  );

  // Every token lives for the whole run (seeding at 10m takes a while).
  const identity = await benchIdentity(dir, opts.seed, 6 * 3600);
  const password = randomBytes(12).toString('base64url');
  const pgPort = await freePort();
  let cluster = await startCluster({ dataDir, port: pgPort, password, ephemeral: true });
  const cleanup = async () => {
    await stopAll();
    await cluster.stop();
    await rm(join(dataDir, '..'), { recursive: true, force: true });
  };
  process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    // pg_stat_statements counts the statements each request costs (it must be preloaded: restart once)
    const setup = new Client({ connectionString: cluster.url('postgres') });
    await setup.connect();
    await setup.query(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`);
    await setup.query(`ALTER SYSTEM SET pg_stat_statements.max = 20000`);
    // --statements: planning time too (not otherwise: it costs a little on every statement)
    if (opts.statements) await setup.query(`ALTER SYSTEM SET pg_stat_statements.track_planning = on`);
    await setup.end();
    await cluster.stop();
    cluster = await startCluster({ dataDir, port: pgPort, password, ephemeral: true });
    const admin = new Client({ connectionString: cluster.url('postgres') });
    admin.on('error', () => undefined); // the server stops under it at the end
    await admin.connect();
    await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');

    const appPassword = randomBytes(12).toString('base64url');
    await ensureApplicationRole(cluster.url('postgres'), 'epidemic_app', appPassword);
    const ownerUrl = (name: SubgraphName) => cluster.url(`epidemic_${name}`);
    const ports = {} as Record<SubgraphName, number>;
    for (const name of SUBGRAPHS) {
      await ensureDatabase(cluster.url('postgres'), `epidemic_${name}`);
      ports[name] = await freePort();
    }
    const appUrl = (name: SubgraphName) => {
      const u = new URL(ownerUrl(name));
      u.username = 'epidemic_app';
      u.password = appPassword;
      return u.toString();
    };
    await loadSecretKeyRingFile(join(dir, 'secrets.key'), true); // organisations wants one
    say('starting the five subgraphs in BENCH_MODE');
    await Promise.all(
      SUBGRAPHS.map(async (name) => {
        // e.g. BENCH_SUBGRAPH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof-subgraphs" to profile them
        const nodeArgs = (process.env.BENCH_SUBGRAPH_NODE_ARGS ?? '').split(' ').filter(Boolean);
        const p = launch(name, process.execPath, [...nodeArgs, '--import', 'tsx', `subgraphs/${name}/main.ts`], {
          NODE_ENV: 'development',
          LOG_LEVEL: 'warn',
          PORT: String(ports[name]),
          DATABASE_URL: appUrl(name),
          MIGRATION_DATABASE_URL: ownerUrl(name),
          APP_DB_ROLE: 'epidemic_app',
          INTERNAL_JWKS_FILE: identity.files.internalJwks,
          PSEUDONYM_KEY_FILE: identity.files.pseudonymKey,
          SECRETS_KEY_FILE: join(dir, 'secrets.key'),
          SEED_DEVELOPMENT_DATA: 'false',
          RETENTION_INTERVAL_MS: '0',
          BENCH_MODE: '1',
          BENCH_FIXED_INTERNAL_TOKEN: identity.fixedInternalToken,
        });
        await waitReady(p, httpOk(`http://127.0.0.1:${ports[name]}/readyz`));
      }),
    );

    const refs = benchRefs(scale, identity.pseudonymKey);
    const seeded = await seed(
      {
        organisations: ownerUrl('organisations'),
        declarations: ownerUrl('declarations'),
        movement: ownerUrl('movement'),
        checkpoints: ownerUrl('checkpoints'),
      },
      scale,
      opts.seed,
      refs,
      now,
      say,
    );

    // One supergraph for all three gateways, routed to this run's subgraphs.
    let sdl = await readFile(schemaFile('supergraph.graphql'), 'utf8');
    for (const name of SUBGRAPHS) {
      sdl = sdl.replace(
        new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*(")`),
        `$1http://127.0.0.1:${ports[name]}/graphql$2`,
      );
    }
    const supergraph = join(dir, 'supergraph.graphql');
    await writeFile(supergraph, sdl);

    const gateways: Record<GatewayName, { port: number; proc?: Proc }> = {
      ours: { port: await freePort() },
      stock: { port: await freePort() },
      hive: { port: await freePort() },
    };
    const probe = JSON.stringify({ query: '{ __typename }' });
    for (const g of opts.gateways) {
      const port = gateways[g].port;
      const url = `http://127.0.0.1:${port}/graphql`;
      let p: Proc;
      if (g === 'ours') {
        // e.g. BENCH_GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile our gateway
        // run as `npm start` runs it (gateway/node-args.ts), then any flags of the caller's own
        const nodeArgs = [
          ...gatewayNodeArgs(),
          ...(process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean),
        ];
        p = launch('gateway (ours)', process.execPath, [...nodeArgs, '--import', 'tsx', 'gateway/main.ts'], {
          // as the other two and as deployed (graphql-js, Express and Apollo Server take their
          // production paths); the gateway has no bench mode: only the subgraphs do
          NODE_ENV: 'production',
          LOG_LEVEL: 'warn',
          PORT: String(port),
          SUPERGRAPH_FILE: supergraph,
          AUTH_DEV_ISSUER: 'false',
          AUTH_ISSUER: BENCH_ISSUER,
          AUTH_AUDIENCE: BENCH_AUDIENCE,
          AUTH_JWKS_FILE: identity.files.issuerJwks,
          INTERNAL_SIGNING_KEY_FILE: identity.files.internalPrivate,
          INTERNAL_JWKS_FILE: identity.files.internalJwks,
          INTROSPECTION: 'staff',
          LANDING_PAGE: 'false',
          // on, and doing its work on every request, but never the limit of a benchmark
          RATE_LIMIT_ENABLED: 'true',
          RATE_LIMIT_PER_PRINCIPAL: '10000000',
          RATE_LIMIT_PER_CLIENT: '10000000',
          TRUSTED_DOCUMENTS: 'off',
        });
        await waitReady(p, httpOk(`http://127.0.0.1:${port}/readyz`));
      } else if (g === 'stock') {
        p = launch(
          'stock @apollo/gateway',
          process.execPath,
          ['--import', 'tsx', 'bench/stock-gateway.ts', supergraph, String(port)],
          {
            BENCH_FIXED_INTERNAL_TOKEN: identity.fixedInternalToken,
            NODE_ENV: 'production',
          },
        );
        await waitReady(
          p,
          httpOk(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: probe }),
        );
      } else {
        p = launch(
          'Hive Gateway',
          process.execPath,
          [
            join(ROOT, 'node_modules/@graphql-hive/gateway/dist/bin.js'),
            'supergraph',
            supergraph,
            '-c',
            'bench/hive-gateway.config.ts',
            '--port',
            String(port),
            '--host',
            '127.0.0.1',
            '--fork',
            '1',
          ],
          { BENCH_FIXED_INTERNAL_TOKEN: identity.fixedInternalToken, NODE_ENV: 'production' },
        );
        await waitReady(
          p,
          httpOk(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: probe }),
        );
      }
      gateways[g].proc = p;
      say(`${p.name} ready on ${url} (pid ${p.child.pid})`);
    }

    // the subgraphs and PostgreSQL (postmaster and its backends): the work a request causes behind the gateway
    const subgraphPids = procs
      .filter((p) => (SUBGRAPHS as readonly string[]).includes(p.name))
      .map((p) => p.child.pid!);
    const backendPids = () => {
      const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return { subgraphs: subgraphPids, postgres: postmaster };
    };
    const bodies = readBodies(refs, now);
    const callerHeaders = { authorization: `Bearer ${identity.userToken}`, 'x-purpose': BENCH_PURPOSE };
    const scenarios: { name: string; body: (g: string) => BodySpec; connections: number }[] = [
      { name: '1 timeline', body: () => ({ kind: 'rotate', bodies: bodies.timeline }), connections: 50 },
      { name: '2 who-passed 100', body: () => ({ kind: 'rotate', bodies: bodies.whoPassed100 }), connections: 50 },
      { name: '2 who-passed 10', body: () => ({ kind: 'rotate', bodies: bodies.whoPassed10 }), connections: 50 },
      { name: '3 single subgraph', body: () => ({ kind: 'rotate', bodies: bodies.single }), connections: 50 },
      {
        name: '4 ingest batch 1000',
        body: (g) => ({
          kind: 'batch',
          deviceId: `bench-${g}-${randomBytes(3).toString('hex')}`,
          refs,
          size: 1000,
          now,
        }),
        connections: 4,
      },
      {
        name: '4 submitDeclaration',
        body: () => ({ kind: 'submit', first: scale.citizens + Math.floor(Math.random() * 1e6) * 240, now }),
        connections: 20,
      },
    ];
    const rows: Row[] = [];
    const spec = (url: string, headers: Record<string, string>, body: BodySpec, connections: number): LoadSpec => ({
      url,
      headers,
      connections,
      warmupSeconds: opts.warmup,
      measureSeconds: opts.duration,
      body,
    });
    /** One load window against `spec.url`; the CPU of `gatewayPid` (null: no gateway in the path). */
    const run = (loadSpec: LoadSpec, gatewayPid: number | null) =>
      measure(loadSpec, gatewayPid, backendPids, ports, admin, dir, opts.statements);
    for (const s of scenarios) {
      if (opts.scenarios && !opts.scenarios.some((w) => s.name.includes(w))) continue;
      for (let round = 0; round < opts.rounds; round++) {
        for (const g of opts.gateways) {
          const gw = gateways[g];
          say(`${s.name} → ${g}${opts.rounds > 1 ? ` (round ${round + 1})` : ''}`);
          const r = await run(
            spec(`http://127.0.0.1:${gw.port}/graphql`, callerHeaders, s.body(g), s.connections),
            gw.proc!.child.pid!,
          );
          rows.push({ scenario: s.name, target: g, ...r });
        }
        if (s.name === '4 ingest batch 1000') {
          // the same passages, connections and batch size by COPY into the subgraph's table, as its own
          // role (its indexes, constraints and outbox trigger): the machine's floor for these rows
          say(`${s.name} → COPY into passage${opts.rounds > 1 ? ` (round ${round + 1})` : ''}`);
          const r = await run(
            spec(appUrl('checkpoints'), {}, { ...(s.body('copy') as IngestSpec), kind: 'copy' }, s.connections),
            null,
          );
          rows.push({ scenario: s.name, target: 'COPY direct', ...r });
        }
      }
      if (s.name === '3 single subgraph') {
        say(`${s.name} → checkpoints subgraph directly`);
        const r = await run(
          spec(
            `http://127.0.0.1:${ports.checkpoints}/graphql`,
            { authorization: `Bearer ${identity.fixedInternalToken}` },
            s.body('direct'),
            s.connections,
          ),
          null,
        );
        rows.push({ scenario: s.name, target: 'subgraph direct', ...r });
      }
    }
    // N+1 check: the same who-passed window at page 10 and page 100, requests one at a time
    const exact: Record<string, { at10: number; at100: number }> = {};
    for (const g of opts.gateways) {
      const url = `http://127.0.0.1:${gateways[g].port}/graphql`;
      exact[g] = {
        at10: await sequentialStatements(admin, url, callerHeaders, bodies.whoPassed10[0]!),
        at100: await sequentialStatements(admin, url, callerHeaders, bodies.whoPassed100[0]!),
      };
    }
    await admin.end();
    printReport(rows, opts, seeded.passagesPerSecond, exact);
  } catch (e) {
    say(`failed: ${(e as Error).stack ?? String(e)}`);
    process.exitCode = 1;
  } finally {
    await cleanup();
  }
}

/** Averages the rounds of each scenario × target. */
function merged(rows: Row[]): Row[] {
  const groups = new Map<string, Row[]>();
  for (const r of rows)
    groups.set(`${r.scenario}|${r.target}`, [...(groups.get(`${r.scenario}|${r.target}`) ?? []), r]);
  return [...groups.values()].map((g) => {
    const avg = (f: (r: Row) => number | null) =>
      g.some((r) => f(r) === null) ? null : g.reduce((s, r) => s + f(r)!, 0) / g.length;
    return {
      scenario: g[0]!.scenario,
      target: g[0]!.target,
      load: {
        requests: g.reduce((s, r) => s + r.load.requests, 0),
        seconds: g.reduce((s, r) => s + r.load.seconds, 0),
        requestsPerSecond: avg((r) => r.load.requestsPerSecond)!,
        p50: avg((r) => r.load.p50)!,
        p99: avg((r) => r.load.p99)!,
        non2xx: g.reduce((s, r) => s + r.load.non2xx, 0),
        errors: g.reduce((s, r) => s + r.load.errors, 0),
      },
      cpuMsPerRequest: avg((r) => r.cpuMsPerRequest),
      subgraphCpuMsPerRequest: avg((r) => r.subgraphCpuMsPerRequest)!,
      postgresCpuMsPerRequest: avg((r) => r.postgresCpuMsPerRequest)!,
      peakRssMb: g.some((r) => r.peakRssMb === null) ? null : Math.max(...g.map((r) => r.peakRssMb!)),
      statementsPerRequest: avg((r) => r.statementsPerRequest)!,
      subgraphCallsPerRequest: avg((r) => r.subgraphCallsPerRequest)!,
    };
  });
}

function printReport(
  raw: Row[],
  opts: Options,
  copyPassagesPerSecond: number,
  exact: Record<string, { at10: number; at100: number }>,
): void {
  const rows = merged(raw);
  const find = (scenario: string, target: string) => rows.find((r) => r.scenario === scenario && r.target === target);
  const out: string[] = ['', table(rows), ''];
  /** `vs stock 1.23×`, or nothing when either gateway was not run (`--gateways`). */
  const ratio = (scenario: string, other: string) => {
    const a = find(scenario, 'ours');
    const b = find(scenario, other);
    return a && b ? `vs ${other} ${(a.load.requestsPerSecond / b.load.requestsPerSecond).toFixed(2)}×` : '';
  };
  out.push('ratios (our req/s ÷ theirs):');
  for (const s of [...new Set(rows.map((r) => r.scenario))]) {
    const ratios = [ratio(s, 'stock'), ratio(s, 'hive')].filter(Boolean);
    if (ratios.length) out.push(`  ${s.padEnd(22)} ${ratios.join('   ')}`);
  }
  const single = find('3 single subgraph', 'ours');
  const direct = find('3 single subgraph', 'subgraph direct');
  if (single && direct) {
    out.push(
      `  gateway floor: ours ${single.load.requestsPerSecond.toFixed(0)} req/s vs the subgraph alone ${direct.load.requestsPerSecond.toFixed(0)} req/s`,
    );
  }
  const batch = find('4 ingest batch 1000', 'ours');
  const copy = find('4 ingest batch 1000', 'COPY direct');
  if (batch) {
    const perSecond = (r: Row) => r.load.requestsPerSecond * 1000;
    out.push(
      `ingest: ${perSecond(batch).toFixed(0)} passages/s through our gateway (recordPassagesBatch of 1,000)` +
        (copy
          ? `; COPY of the same batches into the same table: ${perSecond(copy).toFixed(0)} passages/s (ours ${((100 * perSecond(batch)) / perSecond(copy)).toFixed(0)} % of it)`
          : '') +
        `; COPY while seeding (three databases at once): ${copyPassagesPerSecond.toFixed(0)} passages/s`,
    );
  }
  out.push(
    'statements per request do not grow with items returned (the same who-passed window, page 100 vs page 10, ' +
      'requests one at a time, idle background subtracted):',
  );
  for (const g of opts.gateways) {
    const e = exact[g];
    if (!e) continue;
    // an N+1 would add about one statement per extra item (90 here); allow rounding of the background
    const ok = e.at100 <= e.at10 + 0.5;
    out.push(`  ${ok ? 'PASS' : 'FAIL'} ${g}: ${e.at100.toFixed(2)} at 100 vs ${e.at10.toFixed(2)} at 10`);
  }
  process.stdout.write(out.join('\n') + '\n');
}

main().catch((e: unknown) => {
  say(`failed: ${(e as Error).stack ?? String(e)}`);
  process.exitCode = 1;
});
