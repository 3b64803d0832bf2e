import type { DataSource } from 'typeorm';
import { HealthDeclarationRow } from '../../subgraphs/declarations/entities';
import type { SubgraphName } from '../../subgraphs/kit/module';
import { runRetention, startRetentionScheduler } from '../../subgraphs/kit/retention';
import { silentLogger } from '../../subgraphs/kit/logger';
import { MODULES } from '../../subgraphs/registry';
import { insertCheckpoint, insertPassage } from '../factories/checkpoints';
import { insertDeclaration, insertMonitoringPeriod } from '../factories/declarations';
import { insertFeedback } from '../factories/feedback';
import { insertMovement } from '../factories/movement';
import { createTestDatabase, type TestDatabase } from '../databases';

/**
 * Retention (kit/retention.ts): back-dated records past their period go, recent ones stay, each
 * purged range leaves exactly one PURGED outbox event and no per-row events, and the audit trail
 * is untouched. The purge runs as the application role, as the subgraph processes run it.
 */

const NOW = new Date(Date.UTC(2021, 11, 1, 12)); // 2021-12-01T12:00Z
const DAY = 86_400_000;
const daysAgo = (d: number) => new Date(NOW.getTime() - d * DAY);
const dateAgo = (d: number) => daysAgo(d).toISOString().slice(0, 10);

const dbs: Partial<Record<SubgraphName, TestDatabase>> = {};
const db = (name: SubgraphName) => dbs[name]!;

beforeAll(async () => {
  for (const name of ['checkpoints', 'declarations', 'movement', 'feedback'] as const) {
    dbs[name] = await createTestDatabase(name);
  }
});
afterAll(async () => {
  for (const d of Object.values(dbs)) await d?.drop();
});

interface Event {
  entity_type: string;
  change_kind: string;
  details: Record<string, unknown> | null;
}

const lastPosition = async (ds: DataSource): Promise<string> =>
  ((await ds.query(`SELECT coalesce(max(position), 0)::text AS p FROM outbox_event`)) as { p: string }[])[0]!.p;
const eventsAfter = async (ds: DataSource, position: string): Promise<Event[]> =>
  (await ds.query(`SELECT entity_type, change_kind, details FROM outbox_event WHERE position > $1 ORDER BY position`, [
    position,
  ])) as Event[];
const count = async (ds: DataSource, sql: string, params: unknown[] = []): Promise<number> =>
  Number(((await ds.query(sql, params)) as { n: string }[])[0]!.n);

/** An audit row about `entityId`, as a read would write it (the purge must never touch these). */
async function insertAudit(ds: DataSource, entityType: string, entityId: string): Promise<void> {
  await ds.query(
    `INSERT INTO audit_record (at, actor, organisation, client, purpose, entity_type, entity_id, fields, request_id, subject_refs)
     VALUES ($1, 'dev-health-01', 'HN-CDC', 'user', 'retention test', $2, $3, '{id}', 'req-retention', '{}')`,
    [daysAgo(200), entityType, entityId],
  );
}
const auditRows = (ds: DataSource) =>
  ds.query(`SELECT * FROM audit_record ORDER BY id`) as Promise<Record<string, unknown>[]>;

/** Runs a subgraph's rules as the application role; returns the outbox events the run appended. */
async function purge(name: SubgraphName, batchSize?: number) {
  const before = await lastPosition(db(name).dataSource);
  const results = await runRetention(db(name).appDataSource, MODULES[name].retention ?? [], { now: NOW, batchSize });
  return { results, events: await eventsAfter(db(name).dataSource, before) };
}

test('passages go 25 days after their scan, in one PURGED event, the audit trail untouched', async () => {
  const ds = db('checkpoints').dataSource;
  const checkpoint = await insertCheckpoint(ds);
  const old = [await insertPassage(ds, { checkpointId: checkpoint.id, scannedAt: daysAgo(40) })];
  old.push(await insertPassage(ds, { checkpointId: checkpoint.id, scannedAt: daysAgo(25.5) }));
  const recent = await insertPassage(ds, { checkpointId: checkpoint.id, scannedAt: daysAgo(24) });
  for (const p of [...old, recent]) await insertAudit(ds, 'Passage', p.id);
  const audit = await auditRows(ds);

  const { results, events } = await purge('checkpoints');

  expect(results).toEqual([expect.objectContaining({ rule: 'passage', purged: 2, ranges: 1 })]);
  const left = (await ds.query(`SELECT id FROM passage`)) as { id: string }[];
  expect(left.map((r) => r.id)).toEqual([recent.id]);
  expect(await count(ds, `SELECT count(*) AS n FROM checkpoint`)).toBe(1);
  expect(events).toEqual([
    {
      entity_type: 'Passage',
      change_kind: 'PURGED',
      details: {
        rule: 'passage',
        basis: 'scanned_at',
        retentionDays: 25,
        cutoff: daysAgo(25).toISOString(),
        from: daysAgo(40).toISOString(),
        to: daysAgo(25.5).toISOString(),
        count: 2,
      },
    },
  ]);
  expect(await auditRows(ds)).toEqual(audit);

  // a second run finds nothing and appends nothing
  const again = await purge('checkpoints');
  expect(again.results[0]).toMatchObject({ purged: 0, ranges: 0 });
  expect(again.events).toEqual([]);
});

test('a large purge runs in batches, one transaction and one PURGED event per batch', async () => {
  const ds = db('checkpoints').dataSource;
  const checkpoint = await insertCheckpoint(ds);
  for (let i = 0; i < 5; i++) await insertPassage(ds, { checkpointId: checkpoint.id, scannedAt: daysAgo(30 + i) });

  const { results, events } = await purge('checkpoints', 2);

  expect(results[0]).toMatchObject({ purged: 5, ranges: 3 });
  expect(events.map((e) => [e.change_kind, e.details?.count])).toEqual([
    ['PURGED', 2],
    ['PURGED', 2],
    ['PURGED', 1],
  ]);
});

test('declarations go 30 days after their window, with their versions, monitoring periods, snapshots and citizens', async () => {
  const ds = db('declarations').dataSource;
  // window = submitted_at + 14 days: ended 36 days ago → goes, with its snapshot and (document-holding) citizen
  const expired = await insertDeclaration(ds, { submittedAt: daysAgo(50) });
  await ds.getRepository(HealthDeclarationRow).update({ id: expired.id, version: 1 }, { supersededAt: daysAgo(49) });
  await ds.getRepository(HealthDeclarationRow).insert({
    ...expired,
    version: 2,
    amendmentReason: 'corrected temperature',
    recordedAt: daysAgo(49),
    supersededAt: null,
  });
  // window ended 6 days ago → stays
  const recent = await insertDeclaration(ds, { submittedAt: daysAgo(20) });
  // opened a monitoring period that ended 10 days ago → both stay (the period's end counts)
  const monitored = await insertDeclaration(ds, { submittedAt: daysAgo(60) });
  const openPeriod = await insertMonitoringPeriod(ds, {
    citizenRef: monitored.citizenRef,
    sourceDeclarationId: monitored.id,
    startsOn: dateAgo(24),
    endsOn: dateAgo(10),
  });
  // opened a period that ended 40 days ago → the period goes first, then the declaration
  const closedOut = await insertDeclaration(ds, { submittedAt: daysAgo(70) });
  await insertMonitoringPeriod(ds, {
    citizenRef: closedOut.citizenRef,
    sourceDeclarationId: closedOut.id,
    startsOn: dateAgo(54),
    endsOn: dateAgo(40),
  });
  await insertAudit(ds, 'HealthDeclaration', expired.id);
  const audit = await auditRows(ds);

  const { results, events } = await purge('declarations');

  expect(results.map((r) => [r.rule, r.purged, r.ranges])).toEqual([
    ['monitoring_period', 1, 1],
    ['health_declaration', 3, 1], // rows: the expired declaration's two versions and closedOut's one
    ['identity_snapshot', 2, 1],
    ['citizen', 2, 1],
  ]);
  const declarations = (await ds.query(`SELECT id FROM health_declaration ORDER BY id`)) as { id: string }[];
  expect(declarations.map((d) => d.id).sort()).toEqual([recent.id, monitored.id].sort());
  expect(await count(ds, `SELECT count(*) AS n FROM monitoring_period WHERE id = $1`, [openPeriod.id])).toBe(1);
  expect(await count(ds, `SELECT count(*) AS n FROM monitoring_period`)).toBe(1);
  const citizens = (await ds.query(`SELECT ref FROM citizen`)) as { ref: string }[];
  expect(citizens.map((c) => c.ref).sort()).toEqual([recent.citizenRef, monitored.citizenRef].sort());
  expect(await count(ds, `SELECT count(*) AS n FROM identity_snapshot`)).toBe(2);
  expect(events.map((e) => [e.entity_type, e.change_kind, e.details?.rule, e.details?.count])).toEqual([
    ['MonitoringPeriod', 'PURGED', 'monitoring_period', 1],
    ['HealthDeclaration', 'PURGED', 'health_declaration', 3],
    ['Citizen', 'PURGED', 'identity_snapshot', 2],
    ['Citizen', 'PURGED', 'citizen', 2],
  ]);
  expect(await auditRows(ds)).toEqual(audit);
});

test('movement declarations go 14 days after their validity, their status changes with them', async () => {
  const ds = db('movement').dataSource;
  const expired = await insertMovement(ds, { status: 'APPROVED', validUntil: daysAgo(15) });
  const recent = await insertMovement(ds, { validUntil: daysAgo(13) });
  await insertAudit(ds, 'MovementDeclaration', expired.id);
  const audit = await auditRows(ds);

  const { results, events } = await purge('movement');

  expect(results).toEqual([expect.objectContaining({ rule: 'movement_declaration', purged: 1, ranges: 1 })]);
  const left = (await ds.query(`SELECT id FROM movement_declaration`)) as { id: string }[];
  expect(left.map((r) => r.id)).toEqual([recent.id]);
  expect(await count(ds, `SELECT count(*) AS n FROM movement_status_change WHERE movement_id = $1`, [expired.id])).toBe(
    0,
  );
  expect(await count(ds, `SELECT count(*) AS n FROM movement_status_change WHERE movement_id = $1`, [recent.id])).toBe(
    1,
  );
  // the cascaded status changes leave no per-row events either
  expect(events.map((e) => [e.entity_type, e.change_kind, e.details?.count])).toEqual([
    ['MovementDeclaration', 'PURGED', 1],
  ]);
  expect(await auditRows(ds)).toEqual(audit);
});

test('feedback goes a year after its closure, with its history; open items and referenced originals stay', async () => {
  const ds = db('feedback').dataSource;
  const closedLongAgo = await insertFeedback(ds, { status: 'RESOLVED', reportedAt: daysAgo(400) });
  const closedRecently = await insertFeedback(ds, { status: 'REJECTED', reportedAt: daysAgo(100) });
  const stillOpen = await insertFeedback(ds, { status: 'IN_PROGRESS', reportedAt: daysAgo(500) });
  const original = await insertFeedback(ds, { status: 'REJECTED', reportedAt: daysAgo(450) });
  const duplicate = await insertFeedback(ds, {
    status: 'DUPLICATE',
    duplicateOf: original.id,
    reportedAt: daysAgo(30),
  });
  await insertAudit(ds, 'Feedback', closedLongAgo.id);
  const audit = await auditRows(ds);

  const { results, events } = await purge('feedback');

  expect(results).toEqual([expect.objectContaining({ rule: 'feedback', purged: 1, ranges: 1 })]);
  const left = (await ds.query(`SELECT id FROM feedback`)) as { id: string }[];
  expect(left.map((r) => r.id).sort()).toEqual([closedRecently.id, stillOpen.id, original.id, duplicate.id].sort());
  expect(await count(ds, `SELECT count(*) AS n FROM feedback_change WHERE feedback_id = $1`, [closedLongAgo.id])).toBe(
    0,
  );
  expect(events.map((e) => [e.entity_type, e.change_kind, e.details?.count])).toEqual([['Feedback', 'PURGED', 1]]);
  expect(await auditRows(ds)).toEqual(audit);
});

test('the scheduler runs the rules on demand and never two runs at once', async () => {
  const ds = db('checkpoints').dataSource;
  const checkpoint = await insertCheckpoint(ds);
  await insertPassage(ds, { checkpointId: checkpoint.id, scannedAt: new Date(Date.now() - 40 * DAY) });
  const expired = await count(ds, `SELECT count(*) AS n FROM passage WHERE scanned_at < now() - interval '25 days'`);
  const scheduler = startRetentionScheduler(
    db('checkpoints').appDataSource,
    MODULES.checkpoints.retention ?? [],
    { intervalMs: 0, days: { PASSAGE: 25, DECLARATION: 30, MOVEMENT: 14, FEEDBACK: 365 }, batchSize: 100 },
    silentLogger(),
  );
  const [first, second] = await Promise.all([scheduler.runNow(), scheduler.runNow()]);
  await scheduler.stop();
  expect(expired).toBeGreaterThan(0);
  expect(first[0]!.purged + second[0]!.purged).toBe(expired);
  expect(second[0]!.purged).toBe(0); // the second run waited for the first
  expect(await count(ds, `SELECT count(*) AS n FROM passage WHERE scanned_at < now() - interval '25 days'`)).toBe(0);
});
