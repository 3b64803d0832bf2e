import 'reflect-metadata';
import { DataSource, type MigrationInterface, type MixedList, type EntitySchema } from 'typeorm';
import { AuditRecordEntity } from './audit';
import { OutboxEventEntity } from './outbox';
import { MIGRATION_LOCK } from './locks';
import type { Logger } from './logger';
import type { SubgraphModule } from './module';

type EntityList = MixedList<string | (new (...args: never[]) => unknown) | EntitySchema>;
type MigrationList = (new () => MigrationInterface)[];

export interface DatabaseOptions {
  url: string;
  entities: EntityList;
  migrations: MigrationList;
  poolSize?: number;
  applicationName?: string;
}

/** A subgraph's DataSource on `url`: its module's entities and migrations (createDataSource). */
export function subgraphDataSource(
  mod: Pick<SubgraphModule, 'entities' | 'migrations'>,
  url: string,
  options: Pick<DatabaseOptions, 'poolSize' | 'applicationName'> = {},
): DataSource {
  return createDataSource({ url, entities: mod.entities, migrations: mod.migrations, ...options });
}

/**
 * One DataSource per subgraph, on its own database; the schema comes only from migrations. Every
 * subgraph also holds the kit's `audit_record` and `outbox_event` tables (kit/audit.ts, kit/outbox.ts),
 * so their entities are always added.
 */
export function createDataSource(opts: DatabaseOptions): DataSource {
  const entities = Array.isArray(opts.entities)
    ? [...(opts.entities as unknown[]), AuditRecordEntity, OutboxEventEntity]
    : { ...opts.entities, AuditRecordEntity, OutboxEventEntity };
  return new DataSource({
    type: 'postgres',
    url: opts.url,
    entities: entities as EntityList,
    migrations: opts.migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName: opts.applicationName ?? 'epidemic-federation',
    extra: {
      max: opts.poolSize ?? 10,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
    },
  });
}

/**
 * Connects, retrying with exponential backoff (capped) while the database is unreachable. The
 * process keeps serving /healthz meanwhile and /readyz answers 503.
 */
export async function connectWithRetry(
  ds: DataSource,
  log: Logger,
  opts: { initialDelayMs?: number; maxDelayMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  let delay = opts.initialDelayMs ?? 250;
  const max = opts.maxDelayMs ?? 5_000;
  for (let attempt = 1; ; attempt++) {
    try {
      await ds.initialize();
      return;
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      log.warn({ attempt, retryInMs: delay, reason: (e as Error).message }, 'database not reachable; retrying');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(max, delay * 2);
    }
  }
}

/** Runs pending migrations, each in its own transaction, under an advisory lock. */
export async function migrate(ds: DataSource): Promise<string[]> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const done = await ds.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}

/**
 * The SQL TypeORM would run to make the database match the entities. Empty after migrations means
 * entities and migrations have not drifted.
 */
export async function pendingSchemaChanges(ds: DataSource): Promise<string[]> {
  const sql = await ds.driver.createSchemaBuilder().log();
  return sql.upQueries.map((q) => q.query);
}

export async function isDatabaseUp(ds: DataSource, timeoutMs = 2_000): Promise<boolean> {
  if (!ds.isInitialized) return false;
  try {
    await Promise.race([
      ds.query('SELECT 1'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref()),
    ]);
    return true;
  } catch {
    return false;
  }
}
