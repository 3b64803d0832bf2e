/**
 * `npm run import-units -- --file <csv> --version <name> --effective <YYYY-MM-DD>
 *    [--database-url URL] [--subgraph organisations]`
 *
 * Imports an official administrative-unit list into one subgraph's database (migrating it first, so
 * a fresh database works). Exit 0 on success or when the same list is already imported, 1 when the
 * file or the database refuses it (`line N: reason` for a malformed file), 2 on usage errors.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { subgraphDataSource, migrate } from '../subgraphs/kit/db';
import { SUBGRAPHS, type SubgraphName } from '../subgraphs/kit/module';
import { localDir } from '../subgraphs/kit/paths';
import { MODULES } from '../subgraphs/registry';
import {
  importUnitList,
  isCalendarDate,
  UnitListConflictError,
  UnitListError,
  UnitListOptionError,
  type ImportResult,
} from '../subgraphs/kit/admin-units';

const USAGE =
  'usage: npm run import-units -- --file <csv> --version <name> --effective <YYYY-MM-DD> ' +
  '[--database-url URL] [--subgraph organisations]';

class UsageError extends Error {}

interface CliOptions {
  file: string;
  version: string;
  effective: string;
  subgraph: SubgraphName;
  databaseUrl: string;
}

const isSubgraph = (s: string): s is SubgraphName => (SUBGRAPHS as readonly string[]).includes(s);

/** `.local/stack.json`, written by `npm start`: `{ "databases": { "<subgraph>": "<url>" } }`. */
async function stackDatabaseUrl(subgraph: SubgraphName): Promise<string | undefined> {
  try {
    const stack = JSON.parse(await readFile(localDir('stack.json'), 'utf8')) as { databases?: Record<string, unknown> };
    const url = stack.databases?.[subgraph];
    return typeof url === 'string' ? url : undefined;
  } catch {
    return undefined;
  }
}

async function readOptions(argv: string[], env: NodeJS.ProcessEnv): Promise<CliOptions | 'help'> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        file: { type: 'string' },
        version: { type: 'string' },
        effective: { type: 'string' },
        'database-url': { type: 'string' },
        subgraph: { type: 'string', default: 'organisations' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) return 'help';
  const { file, version, effective, subgraph } = values;
  if (!file || !version || !effective) throw new UsageError('--file, --version and --effective are required');
  if (!isCalendarDate(effective)) throw new UsageError('--effective must be a date YYYY-MM-DD');
  if (!isSubgraph(subgraph)) throw new UsageError(`--subgraph must be one of ${SUBGRAPHS.join(', ')}`);
  const databaseUrl = values['database-url'] || env.DATABASE_URL || (await stackDatabaseUrl(subgraph));
  if (!databaseUrl) {
    throw new UsageError('no database: pass --database-url, set DATABASE_URL, or start the stack (npm start)');
  }
  return { file, version, effective, subgraph, databaseUrl };
}

function progressBar(): { onProgress: (done: number, total: number) => void; stop: () => void } {
  const bar = new SingleBar(
    { stream: process.stderr, format: 'importing units [{bar}] {value}/{total}', hideCursor: true },
    Presets.shades_classic,
  );
  let started = false;
  return {
    onProgress: (done, total) => {
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

function report(r: ImportResult, effective: string): string {
  const what = r.status === 'imported' ? 'imported' : 'already imported (unchanged)';
  return (
    `${what}: list version ${r.version} in force from ${effective}\n` +
    `  provinces: ${r.counts.provinces}\n  districts: ${r.counts.districts}\n  wards:     ${r.counts.wards}\n`
  );
}

async function run(opts: CliOptions): Promise<number> {
  const mod = MODULES[opts.subgraph];
  const ds = subgraphDataSource(mod, opts.databaseUrl, { poolSize: 2, applicationName: 'import-units' });
  try {
    await ds.initialize();
  } catch {
    // The driver's message may contain the URL (and its password): say what failed, not how.
    process.stderr.write(`cannot connect to the ${opts.subgraph} database\n`);
    return 1;
  }
  const progress = progressBar();
  try {
    await migrate(ds);
    const result = await importUnitList(ds, {
      file: opts.file,
      version: opts.version,
      effectiveFrom: opts.effective,
      onProgress: progress.onProgress,
    });
    progress.stop();
    process.stdout.write(report(result, opts.effective));
    return 0;
  } catch (e) {
    progress.stop();
    if (e instanceof UnitListOptionError) throw new UsageError(e.message);
    if (e instanceof UnitListError || e instanceof UnitListConflictError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EISDIR') {
      throw new UsageError(`cannot read ${opts.file}`);
    }
    throw e;
  } finally {
    await ds.destroy();
  }
}

async function main(): Promise<number> {
  try {
    const opts = await readOptions(process.argv.slice(2), process.env);
    if (opts === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    return await run(opts);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`import failed: ${(e as Error).message}\n`);
    return 1;
  }
}

void main().then((code) => {
  process.exitCode = code;
});
