/**
 * `npm start`: the whole stack on one machine. Starts the embedded PostgreSQL (unless every
 * subgraph has a database URL), creates the five databases, then the five subgraphs (each runs
 * its migrations and seeds), the gateway and the webhook delivery worker as separate processes.
 * Ctrl-C / SIGTERM stops them all, PostgreSQL last, and leaves no process behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError } from '../subgraphs/kit/config';
import { loadOrCreateKeyFiles } from '../subgraphs/kit/keys';
import { loadPseudonymKeyFile } from '../subgraphs/kit/pseudonym';
import { loadSecretKeyRingFile } from '../subgraphs/kit/secrets';
import { SUBGRAPHS, type SubgraphName } from '../subgraphs/kit/module';
import { ROOT } from '../subgraphs/kit/paths';
import {
  ensureApplicationRole,
  ensureDatabase,
  startCluster,
  traversableByOthers,
  withCredentials,
  type RunningCluster,
} from './postgres-cluster';
import { loadStackConfig, type StackConfig } from './stack-config';
import { gatewayNodeArgs } from '../gateway/node-args';

const say = (msg: string) => process.stdout.write(`[stack] ${msg}\n`);

interface Managed {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

const children: Managed[] = [];
let cluster: RunningCluster | undefined;
let stopping = false;

function launch(name: string, entry: string, env: Record<string, string>, nodeArgs: string[] = []): Managed {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const managed = { name, child, exited };
  void exited.then((code) => {
    if (!stopping) {
      say(`${name} exited unexpectedly (code ${code}); stopping the stack`);
      void shutdown(1);
    }
  });
  children.push(managed);
  return managed;
}

async function waitReady(name: string, url: string, managed: Managed, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 100;
  while (Date.now() < deadline) {
    if (managed.child.exitCode !== null) throw new Error(`${name} exited during start-up`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(1_000, delay * 2);
  }
  throw new Error(`${name} was not ready within ${timeoutMs / 1000} s`);
}

/** The role the subgraphs serve with on the embedded PostgreSQL: neither owner nor superuser. */
const APP_ROLE = 'epidemic_app';

interface EmbeddedPasswords {
  /** The superuser's, who owns the databases and runs migrations. */
  password: string;
  /** The application role's. */
  appPassword: string;
}

async function embeddedPasswords(localDir: string): Promise<EmbeddedPasswords> {
  const file = join(localDir, 'postgres.json');
  let stored: Partial<EmbeddedPasswords> = {};
  try {
    stored = JSON.parse(await readFile(file, 'utf8')) as Partial<EmbeddedPasswords>;
  } catch {
    // first start
  }
  const passwords = {
    password: stored.password ?? randomBytes(18).toString('base64url'),
    appPassword: stored.appPassword ?? randomBytes(18).toString('base64url'),
  };
  if (passwords.password !== stored.password || passwords.appPassword !== stored.appPassword) {
    await writeFile(file, JSON.stringify(passwords), { mode: 0o600 });
  }
  return passwords;
}

/** Per subgraph: the serving URL and, on the embedded PostgreSQL, the owner's URL and the app role. */
interface SubgraphDatabase {
  url: string;
  migrationUrl?: string;
  appRole?: string;
}

async function databases(cfg: StackConfig): Promise<Record<SubgraphName, SubgraphDatabase>> {
  const missing = SUBGRAPHS.filter((n) => !cfg.databaseUrls[n]);
  const urls = Object.fromEntries(
    SUBGRAPHS.filter((n) => cfg.databaseUrls[n]).map((n) => [n, { url: cfg.databaseUrls[n] }]),
  ) as Record<SubgraphName, SubgraphDatabase>;
  if (missing.length === 0) return urls;
  let dataDir = join(cfg.localDir, 'postgres');
  // (the data directory itself is the postgres user's, 0700: only its ancestors must be traversable)
  if (process.getuid?.() === 0 && !(await traversableByOthers(dirname(dataDir)))) {
    dataDir = cfg.rootFallbackDataDir; // the postgres user cannot reach a clone inside a 0700 home
  }
  say(`starting embedded PostgreSQL on 127.0.0.1:${cfg.embeddedPostgresPort} (data: ${dataDir})`);
  const passwords = await embeddedPasswords(cfg.localDir);
  cluster = await startCluster({ dataDir, port: cfg.embeddedPostgresPort, password: passwords.password });
  await ensureApplicationRole(cluster.url('postgres'), APP_ROLE, passwords.appPassword);
  for (const name of missing) {
    const db = `epidemic_${name}`;
    await ensureDatabase(cluster.url('postgres'), db);
    // the subgraph migrates as the owner, grants APP_ROLE its privileges, then serves as APP_ROLE
    urls[name] = {
      url: withCredentials(cluster.url(db), APP_ROLE, passwords.appPassword),
      migrationUrl: cluster.url(db),
      appRole: APP_ROLE,
    };
  }
  return urls;
}

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('stopping');
  // The delivery worker and the gateway first (launched last), then the subgraphs, then the database.
  for (const m of [...children].reverse()) {
    if (m.child.exitCode === null && m.child.signalCode === null) m.child.kill('SIGTERM');
    const timer = setTimeout(() => m.child.kill('SIGKILL'), 15_000);
    await m.exited;
    clearTimeout(timer);
  }
  await cluster?.stop();
  say('stopped');
  process.exit(code);
}

async function main(): Promise<void> {
  let cfg: StackConfig;
  try {
    cfg = loadStackConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`stack: configuration error: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  // .local stays enterable (as root, PostgreSQL runs as the postgres user and keeps its data in
  // .local/postgres); the keys inside it are private.
  await mkdir(cfg.localDir, { recursive: true, mode: 0o755 });
  if (process.getuid?.() === 0) await chmod(cfg.localDir, 0o755);
  const keys = join(cfg.localDir, 'keys');
  await mkdir(keys, { recursive: true, mode: 0o700 });
  const files = {
    devIssuerPrivate: join(keys, 'dev-issuer.private.json'),
    devIssuerJwks: join(keys, 'dev-issuer.jwks.json'),
    internalPrivate: join(keys, 'internal-signing.private.json'),
    internalJwks: join(keys, 'internal-jwks.json'),
    pseudonymKey: join(keys, 'pseudonym.key'),
    secretsKey: join(keys, 'secrets.key'),
  };
  if (cfg.mode !== 'production') await loadOrCreateKeyFiles(files.devIssuerPrivate, files.devIssuerJwks);
  await loadOrCreateKeyFiles(files.internalPrivate, files.internalJwks);
  // Every subgraph must compute the same Citizen.ref: one key, made once, shared by all.
  await loadPseudonymKeyFile(files.pseudonymKey, cfg.mode !== 'production');
  // Organisations encrypts webhook signing secrets at rest with this key ring (kit/secrets.ts).
  await loadSecretKeyRingFile(files.secretsKey, cfg.mode !== 'production');

  const urls = await databases(cfg);
  // Scripts (import-units) work on the stack's databases as the owner.
  const ownerUrls = Object.fromEntries(SUBGRAPHS.map((n) => [n, urls[n].migrationUrl ?? urls[n].url]));
  await writeFile(join(cfg.localDir, 'stack.json'), JSON.stringify({ databases: ownerUrls }, null, 2), {
    mode: 0o600,
  });

  const common = {
    NODE_ENV: cfg.mode,
    LOG_LEVEL: cfg.logLevel,
    INTERNAL_JWKS_FILE: files.internalJwks,
    PSEUDONYM_KEY_FILE: files.pseudonymKey,
  };
  await Promise.all(
    SUBGRAPHS.map(async (name) => {
      const port = cfg.subgraphPorts[name];
      const db = urls[name];
      const m = launch(name, `subgraphs/${name}/main.ts`, {
        ...common,
        PORT: String(port),
        DATABASE_URL: db.url,
        ...(db.migrationUrl ? { MIGRATION_DATABASE_URL: db.migrationUrl } : {}),
        ...(db.appRole ? { APP_DB_ROLE: db.appRole } : {}),
        ...(name === 'organisations' ? { SECRETS_KEY_FILE: files.secretsKey } : {}),
      });
      await waitReady(name, `http://127.0.0.1:${port}/readyz`, m);
      say(`${name} ready on http://127.0.0.1:${port}/graphql`);
    }),
  );
  const gatewayEnv: Record<string, string> = {
    ...common,
    PORT: String(cfg.gatewayPort),
    INTERNAL_SIGNING_KEY_FILE: files.internalPrivate,
    ...(cfg.mode !== 'production' ? { AUTH_JWKS_FILE: files.devIssuerJwks } : {}),
  };
  for (const name of SUBGRAPHS) {
    gatewayEnv[`SUBGRAPH_URL_${name.toUpperCase()}`] = `http://127.0.0.1:${cfg.subgraphPorts[name]}/graphql`;
  }
  const gw = launch('gateway', 'gateway/main.ts', gatewayEnv, gatewayNodeArgs());
  await waitReady('gateway', `http://127.0.0.1:${cfg.gatewayPort}/readyz`, gw);
  say(`gateway ready: http://127.0.0.1:${cfg.gatewayPort}/graphql`);
  // The webhook delivery worker (delivery/, docs/WEBHOOKS.md): its own process, stopped first.
  const deliveryEnv: Record<string, string> = {
    ...common,
    DATABASE_URL: urls.organisations.url,
    INTERNAL_SIGNING_KEY_FILE: files.internalPrivate,
    SECRETS_KEY_FILE: files.secretsKey,
  };
  for (const name of SUBGRAPHS) {
    deliveryEnv[`SUBGRAPH_URL_${name.toUpperCase()}`] = `http://127.0.0.1:${cfg.subgraphPorts[name]}/graphql`;
  }
  launch('delivery', 'delivery/main.ts', deliveryEnv);
  say('delivery worker started');
  say('get a development token with: npm run token -- dev-centre-admin');
}

main().catch((e: unknown) => {
  say(`start-up failed: ${(e as Error).message}`);
  void shutdown(1);
});
