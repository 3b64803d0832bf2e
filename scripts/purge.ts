/**
 * `npm run purge [-- --subgraph <name>] [--database-url URL]`
 *
 * Runs the retention rules (kit/retention.ts) once, now, on each subgraph's database (or one), as
 * the subgraph processes do every RETENTION_INTERVAL_MS. Periods come from RETENTION_<PERIOD>_DAYS.
 * Databases: `--database-url` (with `--subgraph`), else the running local stack's (`.local/stack.json`).
 * Prints counts per rule; exit 0 on success, 1 when a database fails, 2 on usage errors.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ConfigError, EnvReader } from '../subgraphs/kit/config';
import { SUBGRAPHS, type SubgraphName } from '../subgraphs/kit/module';
import { localDir } from '../subgraphs/kit/paths';
import { readRetentionSettings, runRetention, type RetentionSettings } from '../subgraphs/kit/retention';
import { MODULES } from '../subgraphs/registry';
import { onSubgraphDatabase } from './subgraph-database';

const USAGE = 'usage: npm run purge -- [--subgraph <name>] [--database-url URL]';

class UsageError extends Error {}

const isSubgraph = (s: string): s is SubgraphName => (SUBGRAPHS as readonly string[]).includes(s);

async function stackDatabases(): Promise<Record<string, unknown>> {
  try {
    const stack = JSON.parse(await readFile(localDir('stack.json'), 'utf8')) as { databases?: Record<string, unknown> };
    return stack.databases ?? {};
  } catch {
    return {};
  }
}

async function targets(argv: string[]): Promise<{ name: SubgraphName; url: string }[]> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { subgraph: { type: 'string' }, 'database-url': { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { subgraph } = values;
  if (subgraph !== undefined && !isSubgraph(subgraph)) {
    throw new UsageError(`--subgraph must be one of ${SUBGRAPHS.join(', ')}`);
  }
  if (values['database-url'] && !subgraph) throw new UsageError('--database-url needs --subgraph');
  const names = (subgraph ? [subgraph] : SUBGRAPHS).filter((n) => MODULES[n].retention?.length);
  const stack = await stackDatabases();
  return names.map((name) => {
    const url = (name === subgraph ? values['database-url'] : undefined) ?? stack[name];
    if (typeof url !== 'string') {
      throw new UsageError(`no database for ${name}: pass --database-url or start the stack (npm start)`);
    }
    return { name, url };
  });
}

async function purge(name: SubgraphName, url: string, settings: RetentionSettings): Promise<boolean> {
  return onSubgraphDatabase(name, url, 'purge', async (ds) => {
    try {
      const results = await runRetention(ds, MODULES[name].retention ?? [], settings);
      for (const r of results) {
        process.stdout.write(
          `${name}: ${r.rule}: ${r.purged} purged in ${r.ranges} range(s), before ${r.cutoff.toISOString()}\n`,
        );
      }
      return true;
    } catch (e) {
      process.stderr.write(`${name}: purge failed: ${(e as Error).message}\n`);
      return false;
    }
  });
}

async function main(): Promise<number> {
  let settings: RetentionSettings;
  let list: { name: SubgraphName; url: string }[];
  try {
    settings = readRetentionSettings(new EnvReader(process.env));
    list = await targets(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  let ok = true;
  for (const t of list) ok = (await purge(t.name, t.url, settings)) && ok;
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`purge failed: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
