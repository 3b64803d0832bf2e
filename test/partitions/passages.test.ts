import { checkpointsMigrations } from '../../migrations/checkpoints';
import { PASSAGE_PARTITIONS } from '../../subgraphs/checkpoints/retention';
import { migrate } from '../../subgraphs/kit/db';
import {
  ensurePartitions,
  listPartitions,
  partitionName,
  periodStart,
  startPartitionKeeper,
} from '../../subgraphs/kit/partitions';
import { runRetention } from '../../subgraphs/kit/retention';
import { silentLogger } from '../../subgraphs/kit/logger';
import { MODULES } from '../../subgraphs/registry';
import { insertCheckpoint, insertPassage } from '../factories/checkpoints';
import { createTestDatabase, type TestDatabase } from '../databases';
import { eventsAfter, maxPosition, relationKind, subgraphProcessFor, withLastMigration } from './support';
import type { DataSource } from 'typeorm';

/**
 * `passage` partitioned by Viet Nam day of scanned_at (migration PartitionPassages,
 * kit/partitions.ts): the migration keeps the rows, rows land in their day's partition or in
 * DEFAULT, partitions are made ahead at start-up (as the owner) and by the keeper (as the serving
 * role), a new partition takes its rows out of DEFAULT without feed events, retention drops whole
 * expired days with one PURGED event each and purges the boundary day row by row, and the outbox
 * still gets one event per written row.
 */

const DAY = 86_400_000;
const spec = PASSAGE_PARTITIONS;
const NOW = new Date(Date.UTC(2021, 11, 1, 5)); // 2021-12-01 12:00 in Viet Nam
const daysAgo = (d: number) => new Date(NOW.getTime() - d * DAY);

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('checkpoints');
});
afterAll(async () => {
  await db?.drop();
});

const partitionOf = async (ds: DataSource, id: string): Promise<string> =>
  ((await ds.query(`SELECT tableoid::regclass::text AS t FROM passage WHERE id = $1`, [id])) as { t: string }[])[0]!.t;
test('day boundaries are Viet Nam midnights, and partitions are named by that day', () => {
  const lateEvening = new Date('2021-11-30T16:59:59.999Z'); // 23:59:59.999 on 30 Nov in Viet Nam
  const start = periodStart(lateEvening, 'day');
  expect(start.toISOString()).toBe('2021-11-29T17:00:00.000Z');
  expect(partitionName(spec, start)).toBe('passage_p20211130');
  expect(periodStart(new Date('2021-11-30T17:00:00Z'), 'day').toISOString()).toBe('2021-11-30T17:00:00.000Z');
  // weeks start on Monday (29 Nov 2021 was one)
  expect(partitionName({ ...spec, period: 'week' }, periodStart(new Date('2021-12-02T03:00:00Z'), 'week'))).toBe(
    'passage_w20211129',
  );
});

test('rows land in their day’s partition, DEFAULT takes the rest, and a new partition moves its rows out of DEFAULT without feed events', async () => {
  const ds = db.dataSource;
  const checkpoint = await insertCheckpoint(ds, { activeFrom: daysAgo(400) });
  // no partition yet for those days: DEFAULT takes them (nothing is refused)
  const early = await insertPassage(ds, { checkpointId: checkpoint.id, scannedAt: daysAgo(3) });
  expect(await partitionOf(ds, early.id)).toBe('partitions.passage_default');

  const before = await maxPosition(ds);
  const created = await ensurePartitions(db.appDataSource, spec, daysAgo(3), daysAgo(1));
  expect(created).toEqual([
    'partitions.passage_p20211128',
    'partitions.passage_p20211129',
    'partitions.passage_p20211130',
  ]);
  expect(await partitionOf(ds, early.id)).toBe('partitions.passage_p20211128');
  expect(await eventsAfter(ds, before)).toEqual([]); // moving a row between partitions is no change
  expect(await ensurePartitions(db.appDataSource, spec, daysAgo(3), daysAgo(1))).toEqual([]); // idempotent

  // the first and last instants of a Viet Nam day
  const first = await insertPassage(ds, { checkpointId: checkpoint.id, scannedAt: new Date('2021-11-28T17:00:00Z') });
  const last = await insertPassage(ds, {
    checkpointId: checkpoint.id,
    scannedAt: new Date('2021-11-29T16:59:59.999Z'),
  });
  expect(await partitionOf(ds, first.id)).toBe('partitions.passage_p20211129');
  expect(await partitionOf(ds, last.id)).toBe('partitions.passage_p20211129');
  const outside = await insertPassage(ds, { checkpointId: checkpoint.id, scannedAt: daysAgo(300) });
  expect(await partitionOf(ds, outside.id)).toBe('partitions.passage_default');

  // the serving role reads by id through the parent, whatever the partition
  const byId = (await db.appDataSource.query(`SELECT id FROM passage WHERE id = ANY($1::uuid[]) ORDER BY id`, [
    [first.id, outside.id],
  ])) as { id: string }[];
  expect(byId.map((r) => r.id)).toEqual([first.id, outside.id].sort());
});

/** The definitions of the indexes of `table` (the parent or one partition) on movement_declaration_id. */
const movementIndexes = async (ds: DataSource, table: string): Promise<string[]> =>
  (
    (await ds.query(
      `SELECT pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
       WHERE i.indrelid = $1::regclass AND a.attname = 'movement_declaration_id'`,
      [table],
    )) as { def: string }[]
  ).map((r) => r.def.replace(/^.* USING /, ''));

test('a partition made after the migrations indexes movement declarations only for passages that name one', async () => {
  const ds = db.dataSource;
  const checkpoint = await insertCheckpoint(ds, { activeFrom: daysAgo(400) });
  const day = daysAgo(20);
  await ensurePartitions(db.appDataSource, spec, day, day);
  const partition = `partitions.${partitionName(spec, periodStart(day, 'day'))}`;
  expect(await movementIndexes(ds, partition)).toEqual([
    'btree (movement_declaration_id) WHERE (movement_declaration_id IS NOT NULL)',
  ]);
  expect(await movementIndexes(ds, 'partitions.passage_default')).toEqual([
    'btree (movement_declaration_id) WHERE (movement_declaration_id IS NOT NULL)',
  ]);
  // the passages of a movement declaration are found through the parent, by that index
  const movement = '0b3a7c52-6d1e-4f08-9a27-5e4c1d2b8f60';
  const shown = await insertPassage(ds, {
    checkpointId: checkpoint.id,
    scannedAt: day,
    movementDeclarationId: movement,
  });
  await insertPassage(ds, { checkpointId: checkpoint.id, scannedAt: day });
  const byMovement = `SELECT id FROM passage WHERE movement_declaration_id IN ($1) AND scanned_at >= $2 AND scanned_at < $3`;
  const range = [periodStart(day, 'day'), new Date(periodStart(day, 'day').getTime() + DAY)];
  expect(await db.appDataSource.query(byMovement, [movement, ...range])).toEqual([{ id: shown.id }]);
  await ds.transaction(async (m) => {
    await m.query('SET LOCAL enable_seqscan = off');
    await m.query('SET LOCAL enable_bitmapscan = off');
    const plan = (await m.query(`EXPLAIN ${byMovement}`, [movement, ...range])) as { 'QUERY PLAN': string }[];
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/Index Scan using \S*movement_declaration_id_idx/);
  });
});

test('the outbox still gets one event per written row, whatever the partitions the rows go to', async () => {
  const ds = db.appDataSource;
  const checkpoint = await insertCheckpoint(db.dataSource, { activeFrom: daysAgo(400) });
  const before = await maxPosition(db.dataSource);
  // one statement, rows in two day partitions and DEFAULT
  const rows = (await ds.query(
    `INSERT INTO passage (checkpoint_id, citizen_ref, direction, scanned_at, credential_type, decision, recorded_by)
     SELECT $1, 't1.partition-' || g, 'IN', $2::timestamptz - g * interval '1 day', 'PERSONAL_QR', 'ALLOWED', 'test'
       FROM unnest(ARRAY[1, 2, 100]) g RETURNING id, tableoid::regclass::text AS part`,
    [checkpoint.id, daysAgo(0)],
  )) as { id: string; part: string }[];
  expect(rows.map((r) => r.part)).toEqual([
    'partitions.passage_p20211130',
    'partitions.passage_p20211129',
    'partitions.passage_default',
  ]);
  const ids = rows.map((r) => r.id).sort();
  const created = await eventsAfter(db.dataSource, before);
  expect(created.map((e) => [e.entity_type, e.change_kind])).toEqual(Array(3).fill(['Passage', 'CREATED']));
  expect(created.map((e) => e.entity_id).sort()).toEqual(ids);

  const mid = await maxPosition(db.dataSource);
  await ds.query(`UPDATE passage SET reason = 'checked' WHERE id = ANY($1::uuid[])`, [ids]);
  await ds.query(`DELETE FROM passage WHERE id = ANY($1::uuid[])`, [ids]);
  const changed = await eventsAfter(db.dataSource, mid);
  expect(changed.map((e) => e.change_kind)).toEqual(['UPDATED', 'UPDATED', 'UPDATED', 'DELETED', 'DELETED', 'DELETED']);
});

test('retention drops whole expired days (one PURGED event each) and purges the boundary day row by row', async () => {
  const ds = db.dataSource;
  await ds.query(`DELETE FROM passage`);
  const checkpoint = await insertCheckpoint(ds, { activeFrom: daysAgo(400) });
  // days 40..24 ago have partitions; the cutoff (25 days ago, 12:00 VN) falls inside one of them
  await ensurePartitions(ds, spec, daysAgo(40), daysAgo(24));
  const old = [
    await insertPassage(ds, { checkpointId: checkpoint.id, scannedAt: daysAgo(40) }),
    await insertPassage(ds, { checkpointId: checkpoint.id, scannedAt: daysAgo(40) }),
    await insertPassage(ds, { checkpointId: checkpoint.id, scannedAt: daysAgo(30) }),
  ];
  const boundaryOld = await insertPassage(ds, { checkpointId: checkpoint.id, scannedAt: daysAgo(25.1) });
  const boundaryKept = await insertPassage(ds, { checkpointId: checkpoint.id, scannedAt: daysAgo(24.9) });
  await insertPassage(ds, { checkpointId: checkpoint.id, scannedAt: daysAgo(300) }); // in DEFAULT: purged by the batch
  expect(await partitionOf(ds, boundaryOld.id)).toBe(await partitionOf(ds, boundaryKept.id));
  const expiredDays = (await listPartitions(ds, spec)).filter((p) => p.to && p.to <= daysAgo(25));

  const before = await maxPosition(ds);
  const [result] = await runRetention(db.appDataSource, MODULES.checkpoints.retention ?? [], { now: NOW });

  // every expired day went whole (15 days from 40 to 26 days ago), two of them with rows
  expect(expiredDays).toHaveLength(15);
  expect(result).toMatchObject({ rule: 'passage', partitions: 15, purged: 3 + 2, ranges: 15 + 1 });
  const events = await eventsAfter(ds, before);
  expect(events).toHaveLength(16);
  expect(events.every((e) => e.change_kind === 'PURGED' && e.entity_type === 'Passage')).toBe(true);
  const dropped = events.slice(0, 15).map((e) => e.details!);
  expect(dropped.map((d) => d.partition)).toEqual(expiredDays.map((p) => p.name));
  expect(dropped[0]).toEqual({
    rule: 'passage',
    basis: 'scanned_at',
    retentionDays: 25,
    cutoff: daysAgo(25).toISOString(),
    partition: expiredDays[0]!.name,
    from: expiredDays[0]!.from!.toISOString(),
    to: expiredDays[0]!.to!.toISOString(),
    count: 2,
  });
  expect(dropped.reduce((n, d) => n + (d.count as number), 0)).toBe(old.length);
  // the boundary day and DEFAULT, row by row, in one batch
  expect(events[15]!.details).toMatchObject({ count: 2, from: daysAgo(300).toISOString() });
  const left = (await ds.query(`SELECT id FROM passage`)) as { id: string }[];
  expect(left.map((r) => r.id)).toEqual([boundaryKept.id]);
  const remaining = (await listPartitions(ds, spec)).map((p) => p.name);
  for (const p of expiredDays) expect(remaining).not.toContain(p.name);
  expect(remaining).toContain(await partitionOf(ds, boundaryKept.id));
  expect(remaining).toContain('partitions.passage_default');

  // a second run finds nothing
  const [again] = await runRetention(db.appDataSource, MODULES.checkpoints.retention ?? [], { now: NOW });
  expect(again).toMatchObject({ partitions: 0, purged: 0, ranges: 0 });
});

test('the partition functions refuse a caller without the matching privilege, and never drop DEFAULT', async () => {
  // the serving role may not delete audit rows, nor write the migrations table
  await expect(
    db.appDataSource.query(`SELECT partition_drop('public.audit_record', 'partitions.passage_default')`),
  ).rejects.toThrow(/permission denied to drop partitions/);
  await expect(
    db.appDataSource.query(`SELECT partition_create('public.migrations', 'x', now(), now() + interval '1 day')`),
  ).rejects.toThrow(/permission denied to add partitions/);
  await expect(
    db.appDataSource.query(`SELECT partition_drop('public.passage', 'partitions.passage_default')`),
  ).rejects.toThrow(/not a range partition/);
  await expect(
    db.appDataSource.query(`SELECT partition_drop('public.checkpoint', 'partitions.passage_default')`),
  ).rejects.toThrow(/not a range partition/);
});

describe('the migration', () => {
  /** The checkpoints migrations up to and including `name`. */
  const upTo = (name: string) =>
    checkpointsMigrations.slice(0, checkpointsMigrations.findIndex((m) => m.name === name) + 1);

  test('keeps every row and its outbox history, puts each in its day, and reverts to one table', async () => {
    await withLastMigration('checkpoints', upTo('PartitionPassages1796169600000'), async (before, all) => {
      const checkpoint = await insertCheckpoint(before, { activeFrom: daysAgo(400) });
      const stored = [daysAgo(1), daysAgo(1.2), daysAgo(9), daysAgo(200)].map((at) => ({ at, id: '' }));
      for (const s of stored) {
        const rows = (await before.query(
          `INSERT INTO passage (checkpoint_id, citizen_ref, direction, scanned_at, credential_type, decision,
                                device_id, device_passage_id, recorded_by)
           VALUES ($1, 't1.migration', 'IN', $2, 'PERSONAL_QR', 'ALLOWED', 'dev-m', $3, 'test') RETURNING id`,
          [checkpoint.id, s.at, `m-${s.at.getTime()}`],
        )) as { id: string }[];
        s.id = rows[0]!.id;
      }
      const dump = `SELECT to_jsonb(p) AS row FROM passage p ORDER BY id`;
      const rowsBefore = await before.query(dump);
      const eventsBefore = await maxPosition(before);
      await before.destroy();

      await all.initialize();
      expect(await migrate(all)).toEqual(['PartitionPassages1796169600000']);
      expect(await all.query(dump)).toEqual(rowsBefore);
      expect(await maxPosition(all)).toBe(eventsBefore); // copying the rows is no change for the feed
      const parts = await Promise.all(stored.map((s) => partitionOf(all, s.id)));
      expect(parts).toEqual(stored.map((s) => `partitions.${partitionName(spec, periodStart(s.at, 'day'))}`));
      expect(new Set(parts).size).toBe(3); // 1 and 1.2 days ago: the same Viet Nam day
      // the triggers are on the new table
      await all.query(`DELETE FROM passage WHERE id = $1`, [stored[0]!.id]);
      expect(await eventsAfter(all, eventsBefore)).toEqual([
        { entity_type: 'Passage', entity_id: stored[0]!.id, change_kind: 'DELETED', details: null },
      ]);

      await all.undoLastMigration({ transaction: 'each' });
      expect(await all.query(dump)).toEqual(
        rowsBefore.slice(0).filter((r: { row: { id: string } }) => r.row.id !== stored[0]!.id),
      );
      expect(await relationKind(all, 'passage')).toBe('r');
      expect(await all.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'partitions'`)).toEqual([]);
    });
  });

  test('PartialMovementIndex leaves NULLs out of the movement index on every partition, and back', async () => {
    await withLastMigration('checkpoints', upTo('PartialMovementIndex1796342400000'), async (before, all) => {
      const checkpoint = await insertCheckpoint(before, { activeFrom: daysAgo(400) });
      await ensurePartitions(before, spec, daysAgo(2), daysAgo(1));
      await insertPassage(before, { checkpointId: checkpoint.id, scannedAt: daysAgo(1) });
      const partition = `partitions.${partitionName(spec, periodStart(daysAgo(1), 'day'))}`;
      const full = ['btree (movement_declaration_id)'];
      const partial = ['btree (movement_declaration_id) WHERE (movement_declaration_id IS NOT NULL)'];
      expect(await movementIndexes(before, partition)).toEqual(full);
      await before.destroy();

      await all.initialize();
      expect(await migrate(all)).toEqual(['PartialMovementIndex1796342400000']);
      for (const t of ['passage', partition, 'partitions.passage_default']) {
        expect(await movementIndexes(all, t)).toEqual(partial);
      }
      expect(await all.query(`SELECT count(*)::int AS n FROM passage`)).toEqual([{ n: 1 }]);
      await all.undoLastMigration({ transaction: 'each' });
      for (const t of ['passage', partition, 'partitions.passage_default']) {
        expect(await movementIndexes(all, t)).toEqual(full);
      }
    });
  });
});

describe('start-up', () => {
  const subgraph = subgraphProcessFor('checkpoints');

  test('a subgraph process makes the partitions from the retention cutoff to PARTITIONS_AHEAD days ahead', async () => {
    await subgraph.start({ PARTITIONS_AHEAD: '3', RETENTION_PASSAGE_DAYS: '5' });
    const now = new Date();
    const names = (await listPartitions(subgraph.database.dataSource, spec)).map((p) => p.name);
    const expected: string[] = [];
    for (let d = -5; d <= 3; d++) {
      expected.push(`partitions.${partitionName(spec, periodStart(new Date(now.getTime() + d * DAY), 'day'))}`);
    }
    // (a day may have turned since start-up: the oldest expected day is not asserted)
    for (const n of expected.slice(1)) expect(names).toContain(n);
    expect(names.at(-1)).toBe('partitions.passage_default');
  }, 90_000);

  test('the keeper makes them as the serving role', async () => {
    const keeper = startPartitionKeeper(
      subgraph.database.appDataSource,
      [{ spec, window: { aheadDays: 10, behindDays: 0 } }],
      {
        intervalMs: 3_600_000,
        log: silentLogger(),
      },
    );
    await keeper.runNow();
    await keeper.stop();
    const names = (await listPartitions(subgraph.database.dataSource, spec)).map((p) => p.name);
    const tenAhead = `partitions.${partitionName(spec, periodStart(new Date(Date.now() + 10 * DAY), 'day'))}`;
    expect(names).toContain(tenAhead);
  });
});
