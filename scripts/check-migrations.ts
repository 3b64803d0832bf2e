/**
 * `npm run check:migrations`: on a throwaway embedded PostgreSQL, migrates each subgraph's empty
 * database and fails if its entities would still need schema changes (entities and migrations
 * have drifted), then reverts every migration to prove each `down` runs.
 */
import { subgraphDataSource, migrate, pendingSchemaChanges } from '../subgraphs/kit/db';
import { SUBGRAPHS } from '../subgraphs/kit/module';
import { MODULES } from '../subgraphs/registry';
import { ensureDatabase, withThrowawayCluster } from './postgres-cluster';

function main(): Promise<number> {
  return withThrowawayCluster('epf-drift-', async (cluster) => {
    let failures = 0;
    for (const name of SUBGRAPHS) {
      await ensureDatabase(cluster.url('postgres'), `drift_${name}`);
      const mod = MODULES[name];
      const ds = subgraphDataSource(mod, cluster.url(`drift_${name}`), { poolSize: 2 });
      await ds.initialize();
      try {
        const applied = await migrate(ds);
        const pending = await pendingSchemaChanges(ds);
        if (pending.length) {
          failures++;
          process.stderr.write(
            `${name}: entities and migrations differ; a migration would need:\n  ${pending.join(';\n  ')}\n`,
          );
        }
        for (let i = 0; i < applied.length; i++) await ds.undoLastMigration({ transaction: 'each' });
        process.stdout.write(
          `${name}: ${applied.length} migration(s) up and down, ${pending.length ? 'DRIFT' : 'no drift'}\n`,
        );
      } finally {
        await ds.destroy();
      }
    }
    return failures ? 1 : 0;
  });
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`migration check failed: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
