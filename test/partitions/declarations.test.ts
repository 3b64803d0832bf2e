import type { DataSource } from 'typeorm';
import { declarationsMigrations } from '../../migrations/declarations';
import { HealthDeclarationRow } from '../../subgraphs/declarations/entities';
import { DECLARATION_PARTITIONS } from '../../subgraphs/declarations/retention';
import { migrate } from '../../subgraphs/kit/db';
import { ensurePartitions, listPartitions, partitionName, periodStart } from '../../subgraphs/kit/partitions';
import { runRetention } from '../../subgraphs/kit/retention';
import { MODULES } from '../../subgraphs/registry';
import { insertDeclaration, insertMonitoringPeriod } from '../factories/declarations';
import { createTestDatabase, type TestDatabase } from '../databases';
import { eventsAfter, maxPosition, relationKind, subgraphProcessFor, withLastMigration } from './support';

/**
 * `health_declaration` partitioned by Viet Nam week of submitted_at (migration
 * PartitionDeclarations): every version of a declaration lies in its week's partition, the
 * current-version key still allows one current version per declaration, retention drops a week
 * only once every declaration in it has expired (its end plus the longest symptom window before the
 * cutoff) and none opened a monitoring period still kept, the migration keeps every row and
 * version, and a subgraph process makes the weeks from the retention cutoff to PARTITIONS_AHEAD
 * days ahead.
 */

const DAY = 86_400_000;
const spec = DECLARATION_PARTITIONS;
const NOW = new Date(Date.UTC(2021, 11, 1, 5)); // Wednesday 2021-12-01 12:00 in Viet Nam
const daysAgo = (d: number) => new Date(NOW.getTime() - d * DAY);
/** An instant on a Viet Nam calendar day, at 10:00 there. */
const vn = (day: string) => new Date(`${day}T03:00:00Z`);
const week = (monday: string) => `partitions.health_declaration_w${monday.replace(/-/g, '')}`;

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('declarations');
});
afterAll(async () => {
  await db?.drop();
});

const partitionsOf = async (ds: DataSource, id: string): Promise<string[]> =>
  (
    (await ds.query(`SELECT tableoid::regclass::text AS t FROM health_declaration WHERE id = $1 ORDER BY version`, [
      id,
    ])) as { t: string }[]
  ).map((r) => r.t);
/** Writes version n+1 of a declaration as the amendment path does (same submitted_at). */
async function amend(ds: DataSource, current: HealthDeclarationRow): Promise<HealthDeclarationRow> {
  await ds.query(`UPDATE health_declaration SET superseded_at = now() WHERE id = $1 AND version = $2`, [
    current.id,
    current.version,
  ]);
  const next = Object.assign(new HealthDeclarationRow(), current, {
    version: current.version + 1,
    amendmentReason: 'corrected temperature',
    supersededAt: null,
  });
  await ds.getRepository(HealthDeclarationRow).insert(next);
  return next;
}

test('weeks run Monday to Sunday in Viet Nam, and partitions are named by their Monday', () => {
  const sundayNight = new Date('2021-11-28T16:59:59.999Z'); // Sunday 28 Nov 2021, 23:59:59.999 in Viet Nam
  expect(partitionName(spec, periodStart(sundayNight, 'week'))).toBe('health_declaration_w20211122');
  const mondayMidnight = new Date('2021-11-28T17:00:00Z');
  expect(periodStart(mondayMidnight, 'week').toISOString()).toBe('2021-11-28T17:00:00.000Z');
  expect(partitionName(spec, periodStart(mondayMidnight, 'week'))).toBe('health_declaration_w20211129');
});

test('every version of a declaration lies in its week, and a declaration still has one current version', async () => {
  const ds = db.dataSource;
  const early = await insertDeclaration(ds, { submittedAt: vn('2021-11-23') });
  expect(await partitionsOf(ds, early.id)).toEqual(['partitions.health_declaration_default']);

  const before = await maxPosition(ds);
  expect(await ensurePartitions(db.appDataSource, spec, vn('2021-11-16'), vn('2021-11-30'))).toEqual([
    week('2021-11-15'),
    week('2021-11-22'),
    week('2021-11-29'),
  ]);
  expect(await partitionsOf(ds, early.id)).toEqual([week('2021-11-22')]); // moved out of DEFAULT
  expect(await eventsAfter(ds, before)).toEqual([]); // which is no change for the feed

  const v1 = await insertDeclaration(ds, { submittedAt: new Date('2021-11-28T16:59:59.999Z') }); // Sunday, late
  const v2 = await amend(ds, v1);
  const v3 = await amend(ds, v2);
  expect(await partitionsOf(ds, v1.id)).toEqual(Array(3).fill(week('2021-11-22')));
  const events = await eventsAfter(ds, before);
  expect(events.filter((e) => e.entity_id === v1.id).map((e) => e.change_kind)).toEqual([
    'CREATED',
    'UPDATED', // v1 superseded
    'UPDATED', // v2 written
    'UPDATED',
    'UPDATED',
  ]);

  // a second current version is refused by the current-version key
  await expect(
    ds.query(`UPDATE health_declaration SET superseded_at = NULL WHERE id = $1 AND version = 2`, [v1.id]),
  ).rejects.toThrow(/duplicate key value violates unique constraint/);
  // and the serving role reads the current one by id alone, through the parent
  const current = (await db.appDataSource.query(
    `SELECT version FROM health_declaration WHERE id = $1 AND superseded_at IS NULL`,
    [v3.id],
  )) as { version: number }[];
  expect(current).toEqual([{ version: 3 }]);
});

test('retention drops a week once all its declarations have expired, keeps one a monitoring period still refers to, and purges the rest row by row', async () => {
  const ds = db.dataSource;
  await ds.query(`DELETE FROM monitoring_period`);
  await ds.query(`DELETE FROM health_declaration`);
  // weeks from Monday 20 Sep to the one of NOW; the cutoff is 30 days before NOW (Mon 1 Nov, 12:00),
  // and a week goes whole only when its end is 21 days (the longest window) before that: 11 Oct, 12:00
  await ensurePartitions(ds, spec, vn('2021-09-20'), NOW);
  const expired = await insertDeclaration(ds, { submittedAt: vn('2021-09-22') });
  await amend(ds, expired); // its two versions go with their week
  // the week of 27 Sep: one declaration opened a monitoring period that ended five days ago
  const opener = await insertDeclaration(ds, { kind: 'ENTRY', submittedAt: vn('2021-09-28') });
  await insertMonitoringPeriod(ds, {
    citizenRef: opener.citizenRef,
    sourceDeclarationId: opener.id,
    startsOn: '2021-09-28',
    endsOn: '2021-11-25',
  });
  await insertDeclaration(ds, { submittedAt: vn('2021-09-29') }); // beside the opener: purged by the batches
  // the week of 11 Oct ends (18 Oct) less than 21 days before the cutoff: not dropped; its
  // one-day form has expired, its 21-day window (to 7 Nov) has not
  await insertDeclaration(ds, { kind: 'DAILY_MONITORING', submittedAt: vn('2021-10-12') });
  const longWindow = await insertDeclaration(ds, { submittedAt: vn('2021-10-17'), symptomWindowDays: 21 });
  const inDefault = await insertDeclaration(ds, { submittedAt: vn('2021-01-04') });
  expect(await partitionsOf(ds, inDefault.id)).toEqual(['partitions.health_declaration_default']);

  const before = await maxPosition(ds);
  const results = await runRetention(db.appDataSource, MODULES.declarations.retention ?? [], { now: NOW });
  const result = results.find((r) => r.rule === 'health_declaration');

  // dropped whole: the weeks of 20 Sep (two versions) and 4 Oct (empty); kept: 27 Sep (the period)
  expect(result).toMatchObject({ partitions: 2, purged: 2 + 3, ranges: 2 + 1 });
  const names = (await listPartitions(ds, spec)).map((p) => p.name);
  expect(names).not.toContain(week('2021-09-20'));
  expect(names).not.toContain(week('2021-10-04'));
  expect(names).toContain(week('2021-09-27'));
  expect(names).toContain(week('2021-10-11'));

  const events = (await eventsAfter(ds, before)).filter((e) => e.entity_type === 'HealthDeclaration');
  expect(events.map((e) => [e.change_kind, e.details?.partition ?? null, e.details?.count])).toEqual([
    ['PURGED', week('2021-09-20'), 2],
    ['PURGED', week('2021-10-04'), 0],
    ['PURGED', null, 3], // besideOpener, the one-day form, the one in DEFAULT
  ]);
  expect(events[0]!.details).toMatchObject({
    rule: 'health_declaration',
    retentionDays: 30,
    cutoff: daysAgo(30).toISOString(),
    from: new Date('2021-09-19T17:00:00Z').toISOString(),
    to: new Date('2021-09-26T17:00:00Z').toISOString(),
  });
  const left = (await ds.query(`SELECT id FROM health_declaration ORDER BY submitted_at`)) as { id: string }[];
  expect(left.map((r) => r.id)).toEqual([opener.id, longWindow.id]);

  // once the period has gone too (30 days after its end), the week goes whole on a later run
  const later = new Date(Date.UTC(2021, 11, 27, 5));
  const second = await runRetention(db.appDataSource, MODULES.declarations.retention ?? [], { now: later });
  // the weeks of 27 Sep, 11, 18 and 25 Oct (the last two empty)
  expect(second.find((r) => r.rule === 'health_declaration')).toMatchObject({ partitions: 4, purged: 2 });
  expect((await ds.query(`SELECT id FROM health_declaration`)) as unknown[]).toEqual([]);
});

describe('the migration', () => {
  test('keeps every row and version and its outbox history, puts each in its week, and reverts to one table', async () => {
    await withLastMigration('declarations', declarationsMigrations, async (before, all) => {
      const stored = [daysAgo(1), daysAgo(2), daysAgo(9), daysAgo(200)];
      const rows: HealthDeclarationRow[] = [];
      for (const at of stored) rows.push(await insertDeclaration(before, { submittedAt: at }));
      await amend(before, rows[2]!);
      const dump = `SELECT to_jsonb(d) AS row FROM health_declaration d ORDER BY id, version`;
      const rowsBefore = await before.query(dump);
      expect(rowsBefore).toHaveLength(5);
      const eventsBefore = await maxPosition(before);
      await before.destroy();

      await all.initialize();
      expect(await migrate(all)).toEqual(['PartitionDeclarations1796256000000']);
      expect(await relationKind(all, 'health_declaration')).toBe('p');
      expect(await all.query(dump)).toEqual(rowsBefore);
      expect(await maxPosition(all)).toBe(eventsBefore); // copying the rows is no change for the feed
      const parts = await Promise.all(rows.map((r) => partitionsOf(all, r.id)));
      expect(parts).toEqual(
        stored.map((at, i) =>
          Array(i === 2 ? 2 : 1).fill(`partitions.${partitionName(spec, periodStart(at, 'week'))}`),
        ),
      );
      // the keys and the triggers are on the new table
      await expect(
        all.query(`UPDATE health_declaration SET superseded_at = NULL WHERE id = $1`, [rows[2]!.id]),
      ).rejects.toThrow(/duplicate key value violates unique constraint/);
      await all.query(`DELETE FROM health_declaration WHERE id = $1`, [rows[0]!.id]);
      expect(await eventsAfter(all, eventsBefore)).toEqual([
        { entity_type: 'HealthDeclaration', entity_id: rows[0]!.id, change_kind: 'DELETED', details: null },
      ]);

      await all.undoLastMigration({ transaction: 'each' });
      expect(await all.query(dump)).toEqual(
        rowsBefore.filter((r: { row: { id: string } }) => r.row.id !== rows[0]!.id),
      );
      expect(await relationKind(all, 'health_declaration')).toBe('r');
      expect(await all.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'partitions'`)).toEqual([]);
    });
  });
});

describe('start-up', () => {
  const subgraph = subgraphProcessFor('declarations');

  test('a declarations process makes the weeks from its retention cutoff (and the longest window) to PARTITIONS_AHEAD days ahead', async () => {
    await subgraph.start({ PARTITIONS_AHEAD: '10', RETENTION_DECLARATION_DAYS: '8' });
    const now = Date.now();
    const names = (await listPartitions(subgraph.database.dataSource, spec)).map((p) => p.name);
    // 8 + 21 days behind, 10 ahead (a day may have turned since start-up: the ends are not asserted)
    const expected = new Set<string>();
    for (let d = -28; d <= 9; d++) {
      expected.add(`partitions.${partitionName(spec, periodStart(new Date(now + d * DAY), 'week'))}`);
    }
    for (const n of expected) expect(names).toContain(n);
    expect(names.length).toBeLessThanOrEqual(expected.size + 2 + 1); // the ends, and DEFAULT
    expect(names.at(-1)).toBe('partitions.health_declaration_default');
  }, 90_000);
});
