import { subgraphDataSource, migrate, pendingSchemaChanges } from '../subgraphs/kit/db';
import { SUBGRAPHS } from '../subgraphs/kit/module';
import { MODULES } from '../subgraphs/registry';
import { createEmptyDatabase } from './databases';

test.each([...SUBGRAPHS])('%s: migrations build the schema the entities describe, and revert cleanly', async (name) => {
  const db = await createEmptyDatabase();
  const mod = MODULES[name];
  const ds = subgraphDataSource(mod, db.url, { poolSize: 2 });
  await ds.initialize();
  try {
    const applied = await migrate(ds);
    expect(applied.length).toBe(mod.migrations.length);
    expect(applied.length).toBeGreaterThan(0);
    expect(await pendingSchemaChanges(ds)).toEqual([]);
    expect(await migrate(ds)).toEqual([]); // idempotent
    for (let i = 0; i < applied.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    const tables = (await ds.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'`,
    )) as { table_name: string }[];
    expect(tables).toEqual([]);
  } finally {
    await ds.destroy();
    await db.drop();
  }
});
