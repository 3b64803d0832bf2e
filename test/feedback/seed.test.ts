import type { DataSource } from 'typeorm';
import { createDataSource, migrate } from '../../subgraphs/kit/db';
import { DEMO_PEOPLE, demoUuid } from '../../subgraphs/kit/demo';
import { silentLogger } from '../../subgraphs/kit/logger';
import { citizenRef } from '../../subgraphs/kit/pseudonym';
import { validateLocality } from '../../subgraphs/kit/admin-units/validate';
import { FEEDBACK_STATUSES, FeedbackChangeRow, FeedbackRow } from '../../subgraphs/feedback/entities';
import { feedbackModule } from '../../subgraphs/feedback/module';
import { demoFeedback } from '../../subgraphs/feedback/seed';
import { isOverdue } from '../../subgraphs/feedback/workflow';
import { TEST_PSEUDONYM_KEY } from '../factories/citizens';
import { createEmptyDatabase } from '../databases';

/** The development demo set, seeded into an empty feedback database. */

const KEY = { pseudonymKey: TEST_PSEUDONYM_KEY };
/** Organisations of the organisations subgraph's development seed. */
const SEEDED_ORGANISATIONS = ['HN-PC', 'HN-DOH', 'HN-CDC', 'HCM-PC', 'HCM-DOH', 'HCM-DIC'];

let db: Awaited<ReturnType<typeof createEmptyDatabase>>;
let ds: DataSource;
const now = new Date();

beforeAll(async () => {
  db = await createEmptyDatabase();
  ds = createDataSource({ url: db.url, entities: feedbackModule.entities, migrations: feedbackModule.migrations });
  await ds.initialize();
  await migrate(ds);
  await feedbackModule.seedReference!(ds, silentLogger());
  await feedbackModule.seedDevelopment!(ds, silentLogger(), KEY);
});
afterAll(async () => {
  await ds.destroy();
  await db.drop();
});

const rows = () => ds.getRepository(FeedbackRow).find({ order: { id: 'ASC' } });

test('seeds 30 items with fixed ids in Hà Nội and Hồ Chí Minh City over the last 14 days', async () => {
  const all = await rows();
  expect(all.map((f) => f.id)).toEqual(Array.from({ length: 30 }, (_, i) => demoUuid('feedback', i + 1)));
  expect(new Set(all.map((f) => f.provinceCode))).toEqual(new Set(['01', '79']));
  const fifteenDaysAgo = now.getTime() - 15 * 86_400_000;
  for (const f of all) {
    expect(f.reportedAt.getTime()).toBeLessThan(now.getTime());
    expect(f.reportedAt.getTime()).toBeGreaterThan(fifteenDaysAgo);
    await expect(validateLocality(ds, { provinceCode: f.provinceCode! }, f.reportedAt)).resolves.toBeUndefined();
  }
});

test('covers every status, assigns only seeded organisations, and has a few overdue items', async () => {
  const all = await rows();
  expect(new Set(all.map((f) => f.status))).toEqual(new Set(FEEDBACK_STATUSES));
  for (const f of all.filter((x) => x.assigneeCode)) expect(SEEDED_ORGANISATIONS).toContain(f.assigneeCode);
  const overdue = all.filter((f) => isOverdue(f, now));
  expect(overdue.length).toBeGreaterThanOrEqual(3);
  expect(overdue.length).toBeLessThan(
    all.filter((f) => ['RECEIVED', 'ASSIGNED', 'IN_PROGRESS'].includes(f.status)).length,
  );
  for (const f of all.filter((x) => x.status === 'DUPLICATE')) {
    expect(all.find((o) => o.id === f.duplicateOf)?.status).not.toBe('DUPLICATE');
  }
});

test('reporters and reported persons include demo citizens, by pseudonym only', async () => {
  const refs = new Set(
    DEMO_PEOPLE.map((p) => citizenRef({ type: 'CCCD', number: p.documentNumber }, TEST_PSEUDONYM_KEY)),
  );
  const all = await rows();
  const byCitizen = all.filter((f) => f.reporterKind === 'CITIZEN');
  expect(byCitizen.length).toBeGreaterThan(0);
  for (const f of byCitizen) expect(refs).toContain(f.reporterRef);
  const about = all.filter((f) => f.reportedRef !== null);
  expect(about.length).toBeGreaterThan(0);
  for (const f of about) expect(refs).toContain(f.reportedRef);
  expect(new Set(all.map((f) => f.reporterKind))).toEqual(new Set(['CITIZEN', 'PHONE', 'ANONYMOUS']));
  const dump = JSON.stringify(await ds.query(`SELECT * FROM feedback`));
  for (const p of DEMO_PEOPLE) expect(dump).not.toContain(p.documentNumber);
});

test('each history replays the workflow up to the item’s status, in the past', async () => {
  const all = await rows();
  const changes = await ds.getRepository(FeedbackChangeRow).find({ order: { feedbackId: 'ASC', seq: 'ASC' } });
  for (const f of all) {
    const mine = changes.filter((c) => c.feedbackId === f.id);
    expect(mine[0]).toMatchObject({ seq: 1, fromStatus: null, toStatus: 'RECEIVED' });
    expect(mine.at(-1)!.toStatus).toBe(f.status);
    for (let i = 1; i < mine.length; i++) {
      expect(mine[i]!.fromStatus).toBe(mine[i - 1]!.toStatus);
      expect(mine[i]!.at.getTime()).toBeGreaterThanOrEqual(mine[i - 1]!.at.getTime());
    }
    expect(mine.at(-1)!.at.getTime()).toBeLessThanOrEqual(now.getTime());
  }
});

test('runs only on an empty table, and the same day gives the same set', async () => {
  await feedbackModule.seedDevelopment!(ds, silentLogger(), KEY);
  expect(await ds.getRepository(FeedbackRow).count()).toBe(30);
  const at = new Date('2026-03-15T05:00:00Z');
  expect(demoFeedback(TEST_PSEUDONYM_KEY, at)).toEqual(demoFeedback(TEST_PSEUDONYM_KEY, at));
});
