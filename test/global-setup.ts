import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  ensureApplicationRole,
  ensureDatabase,
  startThrowawayCluster,
  type ThrowawayCluster,
} from '../scripts/postgres-cluster';
import { grantApplicationRole } from '../subgraphs/kit/audit';
import { subgraphDataSource, migrate } from '../subgraphs/kit/db';
import { silentLogger } from '../subgraphs/kit/logger';
import { SUBGRAPHS } from '../subgraphs/kit/module';
import { MODULES } from '../subgraphs/registry';
import { TEMPLATE_PREFIX, TEST_APP_ROLE } from './pg-env';
import { TEST_PSEUDONYM_KEY } from './factories/citizens';
import { GSO_2025_03_01, PROVINCES_2025_07_01 } from './unit-lists';

declare global {
  var __TEST_CLUSTER__: ThrowawayCluster | undefined;
}

/**
 * One PostgreSQL for the whole run, on a random port in a temporary directory. Each subgraph is
 * migrated and seeded once into a template database; every test file clones its own databases
 * from these templates (fast, and no state is shared between files). As with `npm start`, the
 * subgraphs serve as the application role (privileges granted in the templates, so every clone has
 * them); migrations, seeds and factories use the owner.
 */
export default async function globalSetup(): Promise<void> {
  // one clear refusal rather than every test that imports the official unit lists failing on its own
  for (const { file } of [GSO_2025_03_01, PROVINCES_2025_07_01]) {
    if (!existsSync(file)) {
      throw new Error(
        `reference data not found: ${file} (the workplace's shared/data folder beside the clone; ` +
          'for a clone elsewhere set SHARED_DATA_DIR: README, "Checks")',
      );
    }
  }
  // stopped and removed by the global teardown (its data directory, the logs)
  const throwaway = await startThrowawayCluster('epf-test-', { maxConnections: 400 });
  globalThis.__TEST_CLUSTER__ = throwaway;
  const { cluster, dir } = throwaway;
  const admin = cluster.url('postgres');
  const log = silentLogger();
  const appPassword = randomBytes(12).toString('hex');
  await ensureApplicationRole(admin, TEST_APP_ROLE, appPassword);
  await Promise.all(
    SUBGRAPHS.map(async (name) => {
      const template = `${TEMPLATE_PREFIX}${name}`;
      await ensureDatabase(admin, template);
      const mod = MODULES[name];
      const ds = subgraphDataSource(mod, cluster.url(template), { poolSize: 2 });
      await ds.initialize();
      try {
        await migrate(ds);
        await mod.seedReference?.(ds, log);
        // The seeded subjects (dev users and grants) are a fixture every test may use; the other
        // subgraphs' demo sets are not, so tests never depend on them (their own tests seed them).
        if (name === 'organisations') await mod.seedDevelopment?.(ds, log, { pseudonymKey: TEST_PSEUDONYM_KEY });
        await grantApplicationRole(ds, TEST_APP_ROLE);
      } finally {
        await ds.destroy();
      }
    }),
  );
  process.env.TEST_PG_ADMIN_URL = admin;
  process.env.TEST_PG_APP_PASSWORD = appPassword;
  // the suite's log lines, scanned for personal data by the global teardown (test/log-scan.ts)
  process.env.TEST_LOG_DIR = join(dir, 'logs');
  await mkdir(process.env.TEST_LOG_DIR);
}
