import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { subgraphDataSource } from '../subgraphs/kit/db';
import type { SubgraphName } from '../subgraphs/kit/module';
import { MODULES } from '../subgraphs/registry';
import { adminUrl, appDatabaseUrl, databaseUrl, TEMPLATE_PREFIX } from './pg-env';

export interface TestDatabase {
  name: string;
  /** As the owner. */
  url: string;
  /** As the owner (migrations, factories, assertions on stored rows). */
  dataSource: DataSource;
  /** As the application role (neither owner nor superuser): what a subgraph serves with. */
  appUrl: string;
  appDataSource: DataSource;
  drop(): Promise<void>;
}

/** Owner DataSource → the application-role DataSource a subgraph serves the same database with. */
const servingDataSources = new WeakMap<DataSource, DataSource>();

/** The DataSource a subgraph serves `ds`'s database with (itself when there is no other). */
export function servingDataSourceOf(ds: DataSource): DataSource {
  return servingDataSources.get(ds) ?? ds;
}

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh database for one subgraph, cloned from its migrated and seeded template, with initialised
 * DataSources as the owner and as the application role. `drop()` closes them and removes the database.
 */
export async function createTestDatabase(subgraph: SubgraphName, poolSize = 4): Promise<TestDatabase> {
  const name = `t_${subgraph}_${randomBytes(5).toString('hex')}`;
  await admin((c) =>
    c.query(`CREATE DATABASE ${c.escapeIdentifier(name)} TEMPLATE ${c.escapeIdentifier(TEMPLATE_PREFIX + subgraph)}`),
  );
  const url = databaseUrl(name);
  const mod = MODULES[subgraph];
  const dataSource = subgraphDataSource(mod, url, { poolSize });
  const appUrl = appDatabaseUrl(name);
  const appDataSource = subgraphDataSource(mod, appUrl, { poolSize, applicationName: `test-app-${subgraph}` });
  await Promise.all([dataSource.initialize(), appDataSource.initialize()]);
  servingDataSources.set(dataSource, appDataSource);
  return {
    name,
    url,
    dataSource,
    appUrl,
    appDataSource,
    drop: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      if (appDataSource.isInitialized) await appDataSource.destroy();
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`));
    },
  };
}

/** An empty database (no migrations), for tests of migrations and imports from scratch. */
export async function createEmptyDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `t_empty_${randomBytes(5).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`));
  return {
    name,
    url: databaseUrl(name),
    drop: () =>
      admin((c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`)).then(() => undefined),
  };
}
