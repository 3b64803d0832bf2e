import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { grantApplicationRole } from '../../subgraphs/kit/audit';
import { subgraphDataSource, migrate } from '../../subgraphs/kit/db';
import { silentLogger } from '../../subgraphs/kit/logger';
import { Role } from '../../subgraphs/kit/roles';
import { MODULES } from '../../subgraphs/registry';
import { TEST_PSEUDONYM_KEY } from '../factories/citizens';
import { createEmptyDatabase, createTestDatabase, type TestDatabase } from '../databases';
import { appDatabaseUrl, TEST_APP_ROLE } from '../pg-env';
import { startSubgraph, type RunningSubgraph } from '../subgraph-client';
import { findPgTools, logicalDump, logicalRestore, pgDump, pgRestore, serverMajor, type PgTools } from './backup-tools';

/**
 * Backup and restore of a subgraph database (docs/OPERATIONS.md): the populated checkpoints
 * database (its demo set) is dumped, restored into a fresh database, the application role's grants
 * are applied as at start-up, and a subgraph started on the copy answers exactly as the original.
 * With pg_dump/pg_restore of the server's major version on this machine the test runs them (`-Fc`);
 * otherwise the logical fallback of backup-tools.ts (see there why).
 */

const mod = MODULES.checkpoints;
let dir: string;
let original: TestDatabase;
let restored: { name: string; url: string; drop(): Promise<void> };
let restoredOwner: DataSource;
let restoredApp: DataSource;
let tools: PgTools | undefined;
const running: RunningSubgraph[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'epf-backup-'));
  original = await createTestDatabase('checkpoints');
  await mod.seedDevelopment!(original.dataSource, silentLogger(), { pseudonymKey: TEST_PSEUDONYM_KEY });
  tools = findPgTools(await serverMajor(original.dataSource));
  restored = await createEmptyDatabase();
});
afterAll(async () => {
  for (const r of running) await r.close();
  if (restoredApp?.isInitialized) await restoredApp.destroy();
  if (restoredOwner?.isInitialized) await restoredOwner.destroy();
  await restored?.drop();
  await original?.drop();
  await rm(dir, { recursive: true, force: true });
});

const tableCounts = async (ds: DataSource): Promise<Record<string, number>> => {
  const tables = (await ds.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)) as {
    tablename: string;
  }[];
  const counts: Record<string, number> = {};
  for (const { tablename } of tables) {
    counts[tablename] = Number(((await ds.query(`SELECT count(*) AS n FROM "${tablename}"`)) as { n: string }[])[0]!.n);
  }
  return counts;
};

const READS = [
  `{ checkpoints(first: 200) { edges { node { id name kind status provinceCode: province { code } operator { code } } } } }`,
  `{ checkpoint(id: "de300000-0000-4000-8300-000000000002") { id name status activeFrom } }`,
  `{ passages(checkpointId: "de300000-0000-4000-8300-000000000002", from: "2000-01-01T00:00:00Z", first: 200) {
       edges { node { id scannedAt direction decision credentialType } } } }`,
];
const principal = { roles: [Role.HEALTH_OFFICIAL], purpose: 'backup verification' };

test('a dumped and restored checkpoints database serves the same answers as the original', async () => {
  const file = join(dir, 'checkpoints.dump');
  if (tools) {
    await pgDump(tools, original.url, file);
    await pgRestore(tools, restored.url, file);
  } else {
    await logicalDump(original.dataSource, file);
  }
  // start-up as the owner: migrations (nothing to do after pg_restore; the schema for the fallback)
  // and the application role's grants
  restoredOwner = subgraphDataSource(mod, restored.url);
  await restoredOwner.initialize();
  expect(await migrate(restoredOwner)).toEqual(tools ? [] : mod.migrations.map((m) => new m().name));
  if (!tools) await logicalRestore(restoredOwner, file);
  await grantApplicationRole(restoredOwner, TEST_APP_ROLE);

  expect(await tableCounts(restoredOwner)).toEqual(await tableCounts(original.dataSource));
  expect((await tableCounts(restoredOwner)).passage).toBeGreaterThan(0);

  restoredApp = subgraphDataSource(mod, appDatabaseUrl(restored.name));
  await restoredApp.initialize();
  const before = await startSubgraph('checkpoints', original.appDataSource);
  running.push(before);
  const after = await startSubgraph('checkpoints', restoredApp);
  running.push(after);
  const answers: string[] = [];
  for (const query of READS) {
    const [a, b] = [await before.query(query, { principal }), await after.query(query, { principal })];
    expect(a.body.errors).toBeUndefined();
    expect(b.body).toEqual(a.body);
    answers.push(JSON.stringify(a.body));
  }
  expect(answers[0]).toContain('Nội Bài');
  expect((answers[2]!.match(/"scannedAt"/g) ?? []).length).toBeGreaterThan(0);
  // the audit trail came along and keeps growing on the copy (its sequence was restored too)
  const audit = Number(
    ((await restoredOwner.query(`SELECT count(*) AS n FROM audit_record`)) as { n: string }[])[0]!.n,
  );
  expect(audit).toBeGreaterThan(0);
});
