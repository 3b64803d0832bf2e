import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../subgraphs/kit/db';
import type { SubgraphName } from '../subgraphs/kit/module';
import { MODULES } from '../subgraphs/registry';
import { adminUrl, databaseUrl, TEMPLATE_PREFIX } from './pg-env';

export interface TestDatabase {
  name: string;
  url: string;
  dataSource: DataSource;
  drop(): Promise<void>;
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
 * A fresh database for one subgraph, cloned from its migrated and seeded template, with an
 * initialised DataSource. `drop()` closes the DataSource and removes the database.
 */
export async function createTestDatabase(subgraph: SubgraphName, poolSize = 4): Promise<TestDatabase> {
  const name = `t_${subgraph}_${randomBytes(5).toString('hex')}`;
  await admin((c) =>
    c.query(`CREATE DATABASE ${c.escapeIdentifier(name)} TEMPLATE ${c.escapeIdentifier(TEMPLATE_PREFIX + subgraph)}`),
  );
  const url = databaseUrl(name);
  const mod = MODULES[subgraph];
  const dataSource = createDataSource({ url, entities: mod.entities, migrations: mod.migrations, poolSize });
  await dataSource.initialize();
  return {
    name,
    url,
    dataSource,
    drop: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
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
