import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource, MigrationInterface } from 'typeorm';
import { createDataSource, migrate } from '../../subgraphs/kit/db';
import type { SubgraphName } from '../../subgraphs/kit/module';
import { MODULES } from '../../subgraphs/registry';
import { createEmptyDatabase, createTestDatabase, type TestDatabase } from '../databases';
import { waitUntil } from '../resilience/proxy';
import { startSubgraphProcess, type SubgraphProcess } from '../resilience/subgraph-process';

/** What the time-partitioned tables' tests share (passages.test.ts, declarations.test.ts). */

/** The outbox's last position (text: a bigint). */
export const maxPosition = async (ds: DataSource): Promise<string> =>
  ((await ds.query(`SELECT coalesce(max(position), 0)::text AS p FROM outbox_event`)) as { p: string }[])[0]!.p;

/** The outbox events written after `position`, in order. */
export const eventsAfter = async (ds: DataSource, position: string) =>
  (await ds.query(
    `SELECT entity_type, entity_id, change_kind, details FROM outbox_event WHERE position > $1 ORDER BY position`,
    [position],
  )) as { entity_type: string; entity_id: string; change_kind: string; details: Record<string, unknown> | null }[];

/** The kind of the relation `name` in public: `r` a plain table, `p` a partitioned one. */
export const relationKind = async (ds: DataSource, name: string): Promise<string | undefined> =>
  (
    (await ds.query(`SELECT relkind::text AS k FROM pg_class WHERE oid = to_regclass($1)`, [`public.${name}`])) as {
      k: string;
    }[]
  )[0]?.k;

/**
 * Runs `body` with two data sources on one new empty database: `before` migrated up to all but the
 * subgraph's last migration, and `all` (not yet initialised: the body initialises it after closing
 * `before`) with every migration. Both are closed and the database dropped afterwards.
 */
export async function withLastMigration(
  subgraph: SubgraphName,
  migrations: (new () => MigrationInterface)[],
  body: (before: DataSource, all: DataSource) => Promise<void>,
): Promise<void> {
  const empty = await createEmptyDatabase();
  const upTo = (list: typeof migrations) =>
    createDataSource({ url: empty.url, entities: MODULES[subgraph].entities, migrations: list, poolSize: 2 });
  const before = upTo(migrations.slice(0, -1));
  const all = upTo(migrations);
  try {
    await before.initialize();
    await migrate(before);
    await body(before, all);
  } finally {
    if (before.isInitialized) await before.destroy();
    if (all.isInitialized) await all.destroy();
    await empty.drop();
  }
}

/**
 * A subgraph process of the describe block's own: a fresh database and a temp dir made before its
 * tests, the process killed and both removed after. `start` runs it (owner and serving role URLs
 * given) with `env` and waits until it is ready.
 */
export function subgraphProcessFor(subgraph: SubgraphName): {
  readonly database: TestDatabase;
  start(env: Record<string, string>): Promise<void>;
} {
  let dir: string;
  let database: TestDatabase | undefined;
  let sub: SubgraphProcess | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'epf-partitions-'));
    await chmod(dir, 0o755);
    database = await createTestDatabase(subgraph);
  });
  afterAll(async () => {
    sub?.kill();
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    get database() {
      return database!;
    },
    async start(env) {
      sub = await startSubgraphProcess(subgraph, dir, {
        DATABASE_URL: database!.appUrl,
        MIGRATION_DATABASE_URL: database!.url,
        ...env,
      });
      await waitUntil(async () => (await sub!.readyz()) === 200, 60_000, 'the subgraph to be ready');
    },
  };
}
