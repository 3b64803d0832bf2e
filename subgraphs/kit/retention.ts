import { startPeriodic, type PeriodicTask } from './periodic';
import type { DataSource } from 'typeorm';
import { ConfigError, type EnvReader } from './config';
import { RETENTION_LOCK } from './locks';
import type { Logger } from './logger';
import { purgeRange } from './outbox';
import { DEFAULT_PARTITIONS_AHEAD, dropPartition, listPartitions, type PartitionSpec } from './partitions';

/**
 * Retention (DESIGN §5.7): each kind of personal record is deleted a fixed number of days after
 * its reference time (a passage's scan, the end of a declaration's window, a journey's validity,
 * a feedback item's closure). Each subgraph lists its rules (`subgraphs/<name>/retention.ts`),
 * children before the rows they reference; the audit trail is never purged.
 *
 * A run takes each rule in order and purges its expired records in batches, one transaction per
 * batch: the batch is selected, deleted through `purgeRange` (no per-row outbox events) and
 * described by ONE `PURGED` outbox event (rule, reference column, cutoff, oldest and newest
 * reference time, count). A transaction-scoped advisory lock keeps two replicas from purging the
 * same database at once (the other one skips the batch and ends its run).
 *
 * A rule over a time-partitioned table (`partitions`, kit/partitions.ts) first detaches and drops
 * every partition whose records have all expired (its upper bound, plus the rule's
 * `partitionLagDays`, before the cutoff; none of them kept by `partitionKept`), one transaction and
 * ONE `PURGED` event per partition (its bounds and row count), without touching a row; the batches
 * then purge what is left before the cutoff — the rows of the partition the cutoff falls in, of a
 * partition kept, and any in DEFAULT.
 */

/** The retention periods, each configurable as `RETENTION_<PERIOD>_DAYS`. */
export const RETENTION_PERIODS = ['PASSAGE', 'DECLARATION', 'MOVEMENT', 'FEEDBACK'] as const;
export type RetentionPeriod = (typeof RETENTION_PERIODS)[number];
export type RetentionDays = Readonly<Record<RetentionPeriod, number>>;

export const DEFAULT_RETENTION_DAYS: RetentionDays = {
  PASSAGE: 25,
  DECLARATION: 30,
  MOVEMENT: 14,
  FEEDBACK: 365,
};

export const DEFAULT_RETENTION_INTERVAL_MS = 3_600_000;
export const DEFAULT_RETENTION_BATCH_SIZE = 1000;

export interface RetentionRule {
  /** Names the rule in logs and in the PURGED event (e.g. `passage`). */
  name: string;
  /** The outbox entity type the PURGED event is about (the feed's entity type). */
  entityType: string;
  period: RetentionPeriod;
  /** The reference time the period runs from, in words (documentation and the event's range). */
  basis: string;
  /**
   * SQL of the next batch of expired records, oldest first: `$1` the cutoff (timestamptz), `$2`
   * the batch size; returns `key` (text) and `at` (the record's reference time, before the cutoff).
   */
  select: string;
  /** SQL deleting the selected records: `$1` the keys (text[]). No RETURNING (purgeRange adds it). */
  delete: string;
  /**
   * The rule's table is partitioned by time: expired partitions are dropped whole first. A
   * partition has expired when its upper bound plus `partitionLagDays` lies before the cutoff.
   */
  partitions?: PartitionSpec;
  /**
   * How many days a record's reference time (`basis`) may lie after its partition key (0 when the
   * basis is the key itself; declarations: the longest symptom window).
   */
  partitionLagDays?: number;
  /**
   * SQL telling whether an expired partition must still stay (a record in it is kept for another
   * reason, as the `select` would skip it): `$1`, `$2` the partition's bounds [from, to); returns
   * one row with `kept` (boolean). Checked in the drop's transaction; a kept partition is left to
   * the row-by-row batches.
   */
  partitionKept?: string;
}

export interface RetentionSettings {
  /** How often a subgraph process runs its rules; 0 turns the scheduler off. */
  intervalMs: number;
  days: RetentionDays;
  batchSize: number;
  /** Days ahead of now that partitions are made for (PARTITIONS_AHEAD, kit/partitions.ts). */
  partitionsAhead?: number;
}

export interface PurgeResult {
  rule: string;
  entityType: string;
  cutoff: Date;
  /** Records deleted (cascaded children not counted). */
  purged: number;
  /** PURGED events appended (one per batch, one per dropped partition). */
  ranges: number;
  /** Partitions dropped whole (their rows are counted in `purged`). */
  partitions: number;
}

/** Reads RETENTION_INTERVAL_MS, RETENTION_BATCH_SIZE and RETENTION_<PERIOD>_DAYS. */
export function readRetentionSettings(r: EnvReader): RetentionSettings {
  const days = Object.fromEntries(
    RETENTION_PERIODS.map((p) => [p, r.int(`RETENTION_${p}_DAYS`, DEFAULT_RETENTION_DAYS[p], 1, 36_500)]),
  ) as Record<RetentionPeriod, number>;
  const intervalMs = r.int('RETENTION_INTERVAL_MS', DEFAULT_RETENTION_INTERVAL_MS, 0, 7 * 86_400_000);
  if (intervalMs > 0 && intervalMs < 1000) throw new ConfigError('RETENTION_INTERVAL_MS must be 0 (off) or ≥ 1000');
  return {
    intervalMs,
    days,
    batchSize: r.int('RETENTION_BATCH_SIZE', DEFAULT_RETENTION_BATCH_SIZE, 1, 100_000),
    partitionsAhead: r.int('PARTITIONS_AHEAD', DEFAULT_PARTITIONS_AHEAD, 1, 366),
  };
}

interface Batch {
  key: string;
  at: Date;
}

/** Purges one batch of `rule` in its own transaction; null when another process holds the lock. */
async function purgeBatch(
  ds: DataSource,
  rule: RetentionRule,
  cutoff: Date,
  days: number,
  batchSize: number,
): Promise<{ selected: number; purged: number } | null> {
  return ds.transaction(async (m) => {
    const [lock] = (await m.query('SELECT pg_try_advisory_xact_lock($1) AS ok', [RETENTION_LOCK])) as { ok: boolean }[];
    if (!lock?.ok) return null;
    const rows = (await m.query(rule.select, [cutoff, batchSize])) as Batch[];
    if (!rows.length) return { selected: 0, purged: 0 };
    const times = rows.map((r) => new Date(r.at).getTime());
    const purged = await purgeRange(m, {
      entityType: rule.entityType,
      deleteSql: rule.delete,
      params: [rows.map((r) => r.key)],
      range: {
        rule: rule.name,
        basis: rule.basis,
        retentionDays: days,
        cutoff: cutoff.toISOString(),
        from: new Date(Math.min(...times)).toISOString(),
        to: new Date(Math.max(...times)).toISOString(),
      },
    });
    return { selected: rows.length, purged };
  });
}

/** `lock_timeout` expired (SQLSTATE 55P03). */
function isLockTimeout(e: unknown): boolean {
  const err = e as { code?: unknown; driverError?: { code?: unknown } };
  return err?.code === '55P03' || err?.driverError?.code === '55P03';
}

const KEPT = -1;

/**
 * Drops the partitions of `rule` lying entirely before the cutoff, oldest first, each in its own
 * transaction with its PURGED event; null when another process holds the lock. A partition whose
 * drop cannot get its lock in time (a long read holds the table) is left for the next run.
 */
async function dropExpiredPartitions(
  ds: DataSource,
  rule: RetentionRule,
  spec: PartitionSpec,
  cutoff: Date,
  days: number,
  log?: Logger,
): Promise<{ partitions: number; purged: number } | null> {
  const lastTo = cutoff.getTime() - (rule.partitionLagDays ?? 0) * 86_400_000;
  const expired = (await listPartitions(ds, spec)).filter((p) => p.to !== null && p.to.getTime() <= lastTo);
  const done = { partitions: 0, purged: 0 };
  for (const p of expired) {
    const count = await ds
      .transaction(async (m) => {
        const [lock] = (await m.query('SELECT pg_try_advisory_xact_lock($1) AS ok', [RETENTION_LOCK])) as {
          ok: boolean;
        }[];
        if (!lock?.ok) return null;
        if (rule.partitionKept) {
          const [kept] = (await m.query(rule.partitionKept, [p.from, p.to])) as { kept: boolean }[];
          if (kept?.kept) return KEPT;
        }
        // DETACH takes the parent exclusively for an instant: never queue the table's readers behind us
        await m.query(`SET LOCAL lock_timeout = '2s'`);
        const n = await dropPartition(m, spec, p.name);
        await m.query(
          `INSERT INTO outbox_event (id, txid, entity_type, entity_id, change_kind, unit_codes, occurred_at, details)
         VALUES (gen_random_uuid(), pg_current_xact_id()::text::bigint, $1, '*', 'PURGED', '{}', clock_timestamp(), $2)`,
          [
            rule.entityType,
            JSON.stringify({
              rule: rule.name,
              basis: rule.basis,
              retentionDays: days,
              cutoff: cutoff.toISOString(),
              partition: p.name,
              from: p.from!.toISOString(),
              to: p.to!.toISOString(),
              count: n,
            }),
          ],
        );
        return n;
      })
      .catch((e: unknown) => {
        if (!isLockTimeout(e)) throw e;
        log?.warn({ rule: rule.name, partition: p.name }, 'retention: partition busy; left for the next run');
        return undefined;
      });
    if (count === undefined) break;
    if (count === null) return null;
    if (count === KEPT) {
      log?.info(
        { rule: rule.name, partition: p.name },
        'retention: partition still holds records kept; left to the batches',
      );
      continue;
    }
    done.partitions += 1;
    done.purged += count;
    log?.info({ rule: rule.name, partition: p.name, purged: count }, 'retention: partition dropped');
  }
  return done;
}

/**
 * Runs every rule once, in order (children first), each until nothing of it has expired. Returns
 * what each rule purged; logs counts only (never keys or record contents).
 */
export async function runRetention(
  ds: DataSource,
  rules: readonly RetentionRule[],
  opts: { days?: Partial<RetentionDays>; batchSize?: number; now?: Date; log?: Logger } = {},
): Promise<PurgeResult[]> {
  const now = opts.now ?? new Date();
  const batchSize = opts.batchSize ?? DEFAULT_RETENTION_BATCH_SIZE;
  const results: PurgeResult[] = [];
  for (const rule of rules) {
    const days = opts.days?.[rule.period] ?? DEFAULT_RETENTION_DAYS[rule.period];
    const cutoff = new Date(now.getTime() - days * 86_400_000);
    const result: PurgeResult = {
      rule: rule.name,
      entityType: rule.entityType,
      cutoff,
      purged: 0,
      ranges: 0,
      partitions: 0,
    };
    if (rule.partitions) {
      const dropped = await dropExpiredPartitions(ds, rule, rule.partitions, cutoff, days, opts.log);
      if (dropped === null) {
        opts.log?.info({ rule: rule.name }, 'retention: another process is purging; run skipped');
        return results;
      }
      result.partitions = dropped.partitions;
      result.ranges += dropped.partitions;
      result.purged += dropped.purged;
    }
    for (;;) {
      const batch = await purgeBatch(ds, rule, cutoff, days, batchSize);
      if (batch === null) {
        opts.log?.info({ rule: rule.name }, 'retention: another process is purging; run skipped');
        return results;
      }
      if (batch.selected === 0) break;
      result.purged += batch.purged;
      result.ranges += 1;
      if (batch.selected < batchSize) break;
    }
    if (result.purged) {
      opts.log?.info(
        { rule: rule.name, entityType: rule.entityType, purged: result.purged, ranges: result.ranges, days },
        'retention: records purged',
      );
    }
    results.push(result);
  }
  return results;
}

/** The retention runs of a subgraph (kit/periodic.ts): `runNow` resolves with a run's results. */
export type RetentionScheduler = PeriodicTask<PurgeResult[]>;

/**
 * Runs the rules every `intervalMs` (the first run one interval after start), never two runs at
 * once. A failed run is logged and the next one tries again.
 */
export function startRetentionScheduler(
  ds: DataSource,
  rules: readonly RetentionRule[],
  settings: RetentionSettings,
  log: Logger,
): RetentionScheduler {
  return startPeriodic(
    () => runRetention(ds, rules, { days: settings.days, batchSize: settings.batchSize, log }),
    rules.length ? settings.intervalMs : 0,
    (e) => log.error({ reason: (e as Error).message }, 'retention run failed'),
  );
}
