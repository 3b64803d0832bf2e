/**
 * `npm run rekey-pseudonyms -- [--add-key] [--check] [--subgraph <name>]… [--database-url URL]
 *    [--key-file PATH] [--batch-size N]`
 *
 * Re-keying the pseudonymisation secret (docs/KEYS.md):
 *   1. `--add-key` appends a new key (32 random bytes, the next version name) to the key file and
 *      stops: restart every subgraph so that all of them write refs of the new version;
 *   2. without options: rewrites every stored `Citizen.ref` of an earlier version, in every
 *      subgraph database (as the owner), to the current version; idempotent and resumable;
 *   3. `--check`: counts the rows still holding refs of another version, changing nothing.
 *
 * The key ring: PSEUDONYM_KEY, else PSEUDONYM_KEY_FILE, else `.local/keys/pseudonym.key` (what
 * `npm start` gives the subgraphs; STACK_LOCAL_DIR moves `.local` as for `npm start`). The
 * databases: --database-url (with one --subgraph), else `<SUBGRAPH>_DATABASE_URL` (as for
 * `npm start`: the owner's), else `.local/stack.json` written by `npm start`. Prints counts per
 * table, never a ref or a secret. Exit 0 when done (or, with --check, when nothing is left), 1 when
 * something failed or refs remain, 2 on usage errors.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { DataSource } from 'typeorm';
import { SUBGRAPHS, type SubgraphName } from '../subgraphs/kit/module';
import { localDir } from '../subgraphs/kit/paths';
import {
  addPseudonymKey,
  keyRing,
  loadPseudonymKeyFile,
  parsePseudonymKey,
  type PseudonymKey,
} from '../subgraphs/kit/pseudonym';
import { countStaleRefs, RekeyError, rekeySubgraph, type RekeyResult, type StaleCount } from '../subgraphs/kit/rekey';
import { onSubgraphDatabase } from './subgraph-database';

const USAGE =
  'usage: npm run rekey-pseudonyms -- [--add-key] [--check] [--subgraph <name>]... [--database-url URL] ' +
  '[--key-file PATH] [--batch-size N]';

class UsageError extends Error {}

interface CliOptions {
  addKey: boolean;
  check: boolean;
  subgraphs: SubgraphName[];
  databaseUrl: string | undefined;
  keyFile: string | undefined;
  batchSize: number;
}

const isSubgraph = (s: string): s is SubgraphName => (SUBGRAPHS as readonly string[]).includes(s);
const say = (line: string) => process.stdout.write(`${line}\n`);

function readOptions(argv: string[]): CliOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'add-key': { type: 'boolean', default: false },
        check: { type: 'boolean', default: false },
        subgraph: { type: 'string', multiple: true },
        'database-url': { type: 'string' },
        'key-file': { type: 'string' },
        'batch-size': { type: 'string', default: '500' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) return 'help';
  const subgraphs = values.subgraph ?? [...SUBGRAPHS];
  for (const s of subgraphs) {
    if (!isSubgraph(s)) throw new UsageError(`--subgraph must be one of ${SUBGRAPHS.join(', ')}`);
  }
  if (values['database-url'] && subgraphs.length !== 1) {
    throw new UsageError('--database-url needs exactly one --subgraph');
  }
  const batchSize = Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
    throw new UsageError('--batch-size must be an integer from 1 to 100000');
  }
  if (values['add-key'] && values.check) throw new UsageError('--add-key and --check do not go together');
  return {
    addKey: values['add-key'],
    check: values.check,
    subgraphs: subgraphs as SubgraphName[],
    databaseUrl: values['database-url'],
    keyFile: values['key-file'],
    batchSize,
  };
}

/** `npm start`'s local directory (STACK_LOCAL_DIR, as for `npm start`; default `.local`). */
const stackDir = (env: NodeJS.ProcessEnv, ...parts: string[]) =>
  env.STACK_LOCAL_DIR ? join(env.STACK_LOCAL_DIR, ...parts) : localDir(...parts);

function keyFileOf(opts: CliOptions, env: NodeJS.ProcessEnv): string {
  return opts.keyFile ?? env.PSEUDONYM_KEY_FILE ?? stackDir(env, 'keys', 'pseudonym.key');
}

async function loadRing(opts: CliOptions, env: NodeJS.ProcessEnv): Promise<PseudonymKey> {
  if (env.PSEUDONYM_KEY && !opts.keyFile) return parsePseudonymKey(env.PSEUDONYM_KEY);
  return loadPseudonymKeyFile(keyFileOf(opts, env), false);
}

/** `.local/stack.json`, written by `npm start`: `{ "databases": { "<subgraph>": "<owner url>" } }`. */
async function stackDatabaseUrls(env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  try {
    const stack = JSON.parse(await readFile(stackDir(env, 'stack.json'), 'utf8')) as {
      databases?: Record<string, unknown>;
    };
    return stack.databases ?? {};
  } catch {
    return {};
  }
}

async function databaseUrlOf(opts: CliOptions, name: SubgraphName, env: NodeJS.ProcessEnv): Promise<string> {
  const fromStack = (await stackDatabaseUrls(env))[name];
  const url = opts.databaseUrl ?? env[`${name.toUpperCase()}_DATABASE_URL`] ?? fromStack;
  if (typeof url !== 'string' || !url) {
    throw new UsageError(
      `no database for ${name}: pass --database-url, set ${name.toUpperCase()}_DATABASE_URL, or start the stack (npm start)`,
    );
  }
  return url;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function printResult(r: RekeyResult): void {
  say(`${r.subgraph}: ${r.changed} row(s) re-keyed to version ${r.version}`);
  for (const c of r.counts) {
    const extra = [
      c.merged ? `${c.merged} merged into an existing row` : '',
      c.unknown ? `${c.unknown} left alone (unknown key version)` : '',
    ].filter(Boolean);
    say(
      `  ${pad(`${c.table}.${c.column}`, 36)} ${String(c.rows).padStart(8)}${extra.length ? `  (${extra.join('; ')})` : ''}`,
    );
  }
}

function printCheck(name: SubgraphName, counts: StaleCount[]): void {
  const stale = counts.reduce((n, c) => n + c.stale, 0);
  const unknown = counts.reduce((n, c) => n + c.unknown, 0);
  say(`${name}: ${stale} row(s) to re-key${unknown ? `, ${unknown} with refs of an unknown key version` : ''}`);
  for (const c of counts) {
    say(
      `  ${pad(`${c.table}.${c.column}`, 36)} ${String(c.stale).padStart(8)}${c.unknown ? `  (${c.unknown} unknown version)` : ''}`,
    );
  }
}

async function addKey(opts: CliOptions, env: NodeJS.ProcessEnv): Promise<number> {
  if (env.PSEUDONYM_KEY && !opts.keyFile) {
    throw new UsageError(
      'the key ring is given inline (PSEUDONYM_KEY): append a new "<version>:<base64 secret>" to it in your secret store',
    );
  }
  const path = keyFileOf(opts, env);
  const ring = await addPseudonymKey(path);
  say(`added key version ${ring.version} to ${path} (the ring now holds ${keyRing(ring).length} keys)`);
  say('next: restart every subgraph with this key file, then run: npm run rekey-pseudonyms');
  return 0;
}

/** Runs `fn` on one subgraph's database; its errors are reported without the driver's details (they may hold refs or URLs). */
function onDatabase(name: SubgraphName, url: string, fn: (ds: DataSource) => Promise<void>): Promise<boolean> {
  return onSubgraphDatabase(name, url, 'rekey-pseudonyms', async (ds) => {
    try {
      await fn(ds);
      return true;
    } catch (e) {
      const err = e as Error & { code?: string };
      const why =
        e instanceof RekeyError ? err.message : `database error${err.code ? ` ${err.code}` : ''}: ${err.message}`;
      process.stderr.write(`${name}: re-keying stopped (committed batches stay; run again to resume): ${why}\n`);
      return false;
    }
  });
}

async function run(opts: CliOptions, env: NodeJS.ProcessEnv): Promise<number> {
  if (opts.addKey) return addKey(opts, env);
  let ring: PseudonymKey;
  try {
    ring = await loadRing(opts, env);
  } catch (e) {
    process.stderr.write(`cannot read the pseudonymisation key ring: ${(e as Error).message}\n`);
    return 1;
  }
  const urls = new Map<SubgraphName, string>();
  for (const name of opts.subgraphs) urls.set(name, await databaseUrlOf(opts, name, env));
  say(
    `key ring: ${keyRing(ring)
      .map((k) => k.version)
      .join(', ')} (current: ${ring.version})`,
  );
  let failed = false;
  for (const [name, url] of urls) {
    const done = await onDatabase(name, url, async (ds) => {
      if (opts.check) {
        const counts = await countStaleRefs(ds, name, ring);
        printCheck(name, counts);
        if (counts.some((c) => c.stale || c.unknown)) failed = true;
        return;
      }
      const result = await rekeySubgraph(ds, name, ring, { batchSize: opts.batchSize });
      printResult(result);
      if (result.unknown) {
        process.stderr.write(
          `${name}: ${result.unknown} row(s) hold refs of a key version this ring does not have: ` +
            'is this the ring the services run with?\n',
        );
        failed = true;
      }
    });
    if (!done) failed = true;
  }
  return failed ? 1 : 0;
}

async function main(): Promise<number> {
  try {
    const opts = readOptions(process.argv.slice(2));
    if (opts === 'help') {
      say(USAGE);
      return 0;
    }
    return await run(opts, process.env);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`re-keying failed: ${(e as Error).message}\n`);
    return 1;
  }
}

void main().then((code) => {
  process.exitCode = code;
});
