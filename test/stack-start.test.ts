import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { freePort } from '../scripts/postgres-cluster';
import { SUBGRAPHS } from '../subgraphs/kit/module';
import { ROOT } from '../subgraphs/kit/paths';
import { descendants, isAlive, runNpm, runTs } from './processes';
import { createEmptyDatabase } from './databases';
import { Client } from 'pg';

/** Polls a condition (processes ending) for at most `ms`; never a fixed sleep. */
async function waitUntil(done: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

test('npm start brings up PostgreSQL, five subgraphs and the gateway, and Ctrl-C leaves no process behind', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'epf-stack-'));
  await chmod(dir, 0o755);
  const ports: Record<string, string> = {};
  for (const name of SUBGRAPHS) ports[`${name.toUpperCase()}_PORT`] = String(await freePort());
  const gatewayPort = await freePort();
  const pgPort = await freePort();
  const stack = runNpm(
    'start',
    {
      ...ports,
      STACK_LOCAL_DIR: dir,
      GATEWAY_PORT: String(gatewayPort),
      EMBEDDED_POSTGRES_PORT: String(pgPort),
      LOG_LEVEL: 'warn',
    },
    { detached: true },
  );
  try {
    const [, url] = await stack.waitFor(/gateway ready: (http:\/\/\S+)/, 240_000);
    expect(url).toBe(`http://127.0.0.1:${gatewayPort}/graphql`);

    const ready = await fetch(`http://127.0.0.1:${gatewayPort}/readyz`);
    expect(ready.status).toBe(200);
    const readyBody = (await ready.json()) as { checks: Record<string, string> };
    for (const name of SUBGRAPHS) expect(readyBody.checks[`subgraph:${name}`]).toBe('ready');
    expect(JSON.stringify(readyBody)).not.toMatch(/127\.0\.0\.1|http/);

    const tokenRun = runTs('scripts/token.ts', ['dev-health-01', '--keys-dir', join(dir, 'keys')], {});
    expect(await tokenRun.exited).toBe(0);
    const token = tokenRun.output().trim();
    const res = await fetch(url!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ organisations { code } administrativeUnit(code: "79") { name } }' }),
    });
    const body = (await res.json()) as { data: { organisations: unknown[]; administrativeUnit: { name: string } } };
    expect(res.status).toBe(200);
    expect(body.data.organisations.length).toBeGreaterThanOrEqual(9);
    expect(body.data.administrativeUnit.name).toContain('Hồ Chí Minh');

    const page = await fetch(url!, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200); // development: the landing page (Apollo Sandbox) is served
    expect(await page.text()).toMatch(/sandbox/i);

    const tree = descendants(stack.child.pid!);
    expect(tree.length).toBeGreaterThanOrEqual(7); // postgres (and its workers), 5 subgraphs, gateway
    process.kill(-stack.child.pid!, 'SIGINT'); // Ctrl-C: the whole process group gets SIGINT
    await stack.exited; // npm itself ends by the signal; what matters is that the stack finished stopping
    // bounded, generous: seven processes drain one after another on a loaded CI machine
    await waitUntil(() => stack.output().includes('[stack] stopped') && tree.every((pid) => !isAlive(pid)), 90_000);
    expect(stack.output()).toContain('[stack] stopped');
    expect(tree.filter(isAlive)).toEqual([]);
    expect(await portOpen(pgPort)).toBe(false);
    expect(await portOpen(gatewayPort)).toBe(false);
  } finally {
    if (stack.child.exitCode === null) stack.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}, 300_000);

test('with database URLs in the environment, npm start uses those servers and starts no embedded PostgreSQL', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'epf-stack-'));
  await chmod(dir, 0o755);
  const dbs = await Promise.all(SUBGRAPHS.map(() => createEmptyDatabase()));
  const env: Record<string, string> = { STACK_LOCAL_DIR: dir, LOG_LEVEL: 'warn' };
  SUBGRAPHS.forEach((name, i) => {
    env[`${name.toUpperCase()}_DATABASE_URL`] = dbs[i]!.url;
  });
  for (const name of SUBGRAPHS) env[`${name.toUpperCase()}_PORT`] = String(await freePort());
  const gatewayPort = await freePort();
  env.GATEWAY_PORT = String(gatewayPort);
  env.EMBEDDED_POSTGRES_PORT = String(await freePort());
  const stack = runTs('scripts/start.ts', [], env);
  try {
    await stack.waitFor(/gateway ready: /, 240_000);
    expect(stack.output()).not.toContain('embedded PostgreSQL');
    expect(await portOpen(Number(env.EMBEDDED_POSTGRES_PORT))).toBe(false);
    const client = new Client({ connectionString: dbs[SUBGRAPHS.indexOf('organisations')]!.url });
    await client.connect();
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM organisation');
    await client.end();
    expect(rows[0]!.n).toBeGreaterThanOrEqual(9); // migrated and seeded in the given database
    stack.child.kill('SIGTERM');
    expect(await stack.exited).toBe(0);
    expect(stack.output()).toContain('[stack] stopped');
  } finally {
    if (stack.child.exitCode === null) stack.child.kill('SIGKILL');
    await Promise.all(dbs.map((d) => d.drop()));
    await rm(dir, { recursive: true, force: true });
  }
}, 300_000);

test('long-running scripts run in node itself, not under the tsx CLI, so Ctrl-C reaches their shutdown', () => {
  // The tsx CLI relays a signal to its child and SIGKILLs it when the child has not acknowledged
  // within 30 ms + 30 ms: on a loaded machine that killed the stack's supervisor before it could stop
  // its children (seen once in a full test run). `node --import tsx` has no relay in between.
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts;
  for (const name of ['start', 'delivery', 'bench', 'bench:smoke']) {
    expect(scripts[name]).toMatch(/^node --import tsx /);
  }
});
