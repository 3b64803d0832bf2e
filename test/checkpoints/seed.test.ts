import type { DataSource } from 'typeorm';
import { DEMO_CHECKPOINTS, seedDevelopment, seedReference } from '../../subgraphs/checkpoints/seed';
import { checkpointsModule } from '../../subgraphs/checkpoints/module';
import { createDataSource, migrate } from '../../subgraphs/kit/db';
import { DEMO_PEOPLE, demoUuid } from '../../subgraphs/kit/demo';
import { silentLogger } from '../../subgraphs/kit/logger';
import { citizenRef } from '../../subgraphs/kit/pseudonym';
import { createEmptyDatabase } from '../databases';
import { TEST_PSEUDONYM_KEY } from '../factories/citizens';
import { insertCheckpoint } from '../factories/checkpoints';

/*
 * The development seed: a deterministic demo set in an empty database (checkpoints in provinces 01
 * and 79, operators, the demo people's passages over the last 14 days, some verifying the demo
 * movements), idempotent, and never mixed into a database that has checkpoints of its own.
 */

const log = silentLogger();
const ctx = { pseudonymKey: TEST_PSEUDONYM_KEY };
const NOW = new Date('2026-03-10T05:00:00.000Z');

const opened: { ds: DataSource; drop(): Promise<void> }[] = [];
async function migratedDatabase(): Promise<DataSource> {
  const db = await createEmptyDatabase();
  const ds = createDataSource({
    url: db.url,
    entities: checkpointsModule.entities,
    migrations: checkpointsModule.migrations,
    poolSize: 2,
  });
  await ds.initialize();
  await migrate(ds);
  await seedReference(ds, log);
  opened.push({ ds, drop: db.drop });
  return ds;
}
afterAll(async () => {
  for (const { ds, drop } of opened) {
    await ds.destroy();
    await drop();
  }
});

const snapshot = async (ds: DataSource) => ({
  checkpoints: await ds.query(
    `SELECT id, name, kind, province_code, operator_code, scan_mode, active_from, status FROM checkpoint ORDER BY id`,
  ),
  operators: await ds.query(
    `SELECT checkpoint_id, user_id, assigned_at, removed_at FROM checkpoint_operator ORDER BY checkpoint_id, user_id`,
  ),
  passages: await ds.query(`SELECT * FROM passage ORDER BY id`),
});

test('seeds the same demo set into every empty database, once', async () => {
  const [a, b] = [await migratedDatabase(), await migratedDatabase()];
  await seedDevelopment(a, log, ctx, NOW);
  await seedDevelopment(b, log, ctx, NOW);
  const first = await snapshot(a);
  expect(await snapshot(b)).toEqual(first);
  await seedDevelopment(a, log, ctx, new Date(NOW.getTime() + 86_400_000));
  expect(await snapshot(a)).toEqual(first);
});

test('the demo set: checkpoints of 01 and 79, the demo people passing over the last 14 days', async () => {
  const ds = await migratedDatabase();
  await seedDevelopment(ds, log, ctx, NOW);
  const { checkpoints, passages } = await snapshot(ds);

  expect(checkpoints.map((c: { id: string }) => c.id)).toEqual(
    DEMO_CHECKPOINTS.map((c) => demoUuid('checkpoint', c.n)),
  );
  expect(new Set(checkpoints.map((c: { province_code: string }) => c.province_code))).toEqual(new Set(['01', '79']));

  const refs = new Set(
    DEMO_PEOPLE.map((p) => citizenRef({ type: 'CCCD', number: p.documentNumber }, TEST_PSEUDONYM_KEY)),
  );
  const seen = new Set(passages.map((p: { citizen_ref: string }) => p.citizen_ref));
  expect(seen).toEqual(refs);

  const fourteenDaysAgo = NOW.getTime() - 15 * 86_400_000;
  for (const p of passages as {
    id: string;
    checkpoint_id: string;
    scanned_at: Date;
    received_at: Date;
    decision: string;
    reason: string | null;
  }[]) {
    expect(p.scanned_at.getTime()).toBeLessThan(NOW.getTime());
    expect(p.scanned_at.getTime()).toBeGreaterThan(fourteenDaysAgo);
    expect(p.received_at.getTime()).toBeGreaterThanOrEqual(p.scanned_at.getTime());
    expect(p.decision === 'ALLOWED' || p.reason !== null).toBe(true);
    // No demo scan at the suspended market.
    expect(p.checkpoint_id).not.toBe(demoUuid('checkpoint', 6));
  }
  const movements = passages
    .map((p: { movement_declaration_id: string | null }) => p.movement_declaration_id)
    .filter((id: string | null) => id !== null);
  expect(new Set(movements)).toEqual(new Set([1, 2, 3, 4, 5, 6].map((n) => demoUuid('movement', n))));
  expect(passages.map((p: { id: string }) => p.id)).toEqual(
    passages.map((_: unknown, i: number) => demoUuid('passage', i + 1)),
  );
  expect(new Set(passages.map((p: { decision: string }) => p.decision)).size).toBeGreaterThan(2);
});

test('a database with checkpoints of its own gets no demo set', async () => {
  const ds = await migratedDatabase();
  await insertCheckpoint(ds, { provinceCode: '01' });
  await seedDevelopment(ds, log, ctx, NOW);
  const { checkpoints, passages } = await snapshot(ds);
  expect(checkpoints).toHaveLength(1);
  expect(passages).toHaveLength(0);
});
