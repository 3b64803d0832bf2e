import { startPeriodic, type PeriodicTask } from './periodic';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { PARTITION_LOCK } from './locks';
import type { Logger } from './logger';

/**
 * Time-partitioned tables (DESIGN §2, docs/PERFORMANCE.md "Partitioning"). A high-volume event
 * table is declared `PARTITION BY RANGE (<time column>)` by its migration, with one partition per
 * calendar day or week (from Monday) in Viet Nam (DESIGN §4) and a DEFAULT partition, so a record
 * outside every partition (very late, or ahead of the partitions made so far) is still stored,
 * never refused.
 *
 * Partitions live in their own schema, `partitions`: the parent keeps the table's name, columns,
 * keys and grants in `public`, and everything that lists `public` (the drift check, the ref-column
 * inventory, grants, logical backups) sees one table, as before. Queries only ever name the parent.
 *
 * Creating and dropping partitions needs the table's owner; the serving role runs the daily timer
 * and the retention purge. Two SECURITY DEFINER functions (created by the migration that partitions
 * the first table, owned by the owner) are the only door: `partition_create` makes one range
 * partition (moving the DEFAULT partition's rows of that range into it first) and `partition_drop`
 * detaches and drops one non-default partition; each checks that the caller may INSERT, resp.
 * DELETE, on the parent, i.e. that it could have written or deleted those rows anyway.
 */

export const PARTITION_SCHEMA = 'partitions';

/** Viet Nam has kept UTC+7, without daylight saving, since 1975: a calendar day there is fixed. */
const VN_OFFSET_MS = 7 * 3_600_000;
const DAY_MS = 86_400_000;

export type PartitionPeriod = 'day' | 'week';

export interface PartitionSpec {
  /** The partitioned parent table (in `public`). */
  table: string;
  /** Its partition key, a timestamptz column. */
  column: string;
  period: PartitionPeriod;
}

export const DEFAULT_PARTITIONS_AHEAD = 7;

type Db = Pick<DataSource | EntityManager | QueryRunner, 'query'>;

const NAME = /^[a-z_][a-z0-9_]{0,40}$/;
function checkSpec(spec: PartitionSpec): void {
  if (!NAME.test(spec.table) || !NAME.test(spec.column)) throw new Error(`bad partitioned table ${spec.table}`);
}

/** The start of the period (Viet Nam day, or the week from Monday) holding `at`. */
export function periodStart(at: Date, period: PartitionPeriod): Date {
  const local = Math.floor((at.getTime() + VN_OFFSET_MS) / DAY_MS); // days since 1970-01-01, VN time
  const day = period === 'week' ? local - ((local + 3) % 7) : local; // 1970-01-01 was a Thursday
  return new Date(day * DAY_MS - VN_OFFSET_MS);
}

export function nextPeriod(start: Date, period: PartitionPeriod): Date {
  return new Date(start.getTime() + (period === 'week' ? 7 : 1) * DAY_MS);
}

/** `passage_p20261127` (a day) or `passage_w20261123` (the week from that Monday), VN dates. */
export function partitionName(spec: PartitionSpec, start: Date): string {
  const ymd = new Date(start.getTime() + VN_OFFSET_MS).toISOString().slice(0, 10).replace(/-/g, '');
  return `${spec.table}_${spec.period === 'week' ? 'w' : 'p'}${ymd}`;
}

export interface PartitionInfo {
  /** Schema-qualified name. */
  name: string;
  /** Bounds [from, to); null for the DEFAULT partition. */
  from: Date | null;
  to: Date | null;
}

/** The partitions of `spec.table`, oldest first, DEFAULT last. */
export async function listPartitions(db: Db, spec: PartitionSpec): Promise<PartitionInfo[]> {
  checkSpec(spec);
  const rows = (await db.query(
    `SELECT c.oid::regclass::text AS name, b.m[1]::timestamptz AS "from", b.m[2]::timestamptz AS "to"
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid,
            LATERAL (SELECT regexp_match(pg_get_expr(c.relpartbound, c.oid),
                                         '^FOR VALUES FROM \\(''([^'']+)''\\) TO \\(''([^'']+)''\\)$') AS m) b
      WHERE i.inhparent = to_regclass($1)
      ORDER BY b.m[1]::timestamptz NULLS LAST`,
    [`public.${spec.table}`],
  )) as PartitionInfo[];
  return rows;
}

/**
 * Makes sure a partition exists for every period that overlaps [from, to] (created by
 * `partition_create`, each in its own transaction so a slow one blocks nothing else for long).
 * Rows of a new partition's range waiting in DEFAULT are moved into it. Returns the partitions
 * created. Safe to run concurrently from several replicas (an advisory lock, then an existence check).
 */
export async function ensurePartitions(
  ds: DataSource,
  spec: PartitionSpec,
  from: Date,
  to: Date,
  log?: Logger,
): Promise<string[]> {
  checkSpec(spec);
  const created: string[] = [];
  for (let start = periodStart(from, spec.period); start.getTime() <= to.getTime();) {
    const end = nextPeriod(start, spec.period);
    const name = partitionName(spec, start);
    const moved = await ds.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK]);
      // ATTACH locks the DEFAULT partition exclusively: never queue behind a long read for long
      await m.query(`SET LOCAL lock_timeout = '5s'`);
      return createPartition(m, spec, start);
    });
    if (moved !== null) {
      created.push(`${PARTITION_SCHEMA}.${name}`);
      log?.info({ table: spec.table, partition: name, movedFromDefault: moved }, 'partition created');
    }
    start = end;
  }
  return created;
}

/**
 * Creates the partition of the period starting at `start` (a `periodStart`) in the caller's
 * transaction; returns the rows moved into it from DEFAULT, or null when it already existed.
 */
export async function createPartition(db: Db, spec: PartitionSpec, start: Date): Promise<number | null> {
  checkSpec(spec);
  const [row] = (await db.query(`SELECT partition_create($1::regclass, $2, $3, $4) AS moved`, [
    `public.${spec.table}`,
    partitionName(spec, start),
    start,
    nextPeriod(start, spec.period),
  ])) as { moved: string | null }[];
  return row?.moved === null || row?.moved === undefined ? null : Number(row.moved);
}

export interface PartitionWindow {
  /** Days after now (PARTITIONS_AHEAD): every period overlapping them gets its partition. */
  aheadDays: number;
  /** Days before now (the table's retention: older rows are dropped anyway); 0: from today. */
  behindDays: number;
}

/**
 * `ensurePartitions` over the window around `now`: from `behindDays` ago (so late records of
 * periods still retained get their period's partition, not DEFAULT) to `aheadDays` after now.
 */
export function ensurePartitionWindow(
  ds: DataSource,
  spec: PartitionSpec,
  window: PartitionWindow,
  now = new Date(),
  log?: Logger,
): Promise<string[]> {
  return ensurePartitions(
    ds,
    spec,
    new Date(now.getTime() - window.behindDays * DAY_MS),
    new Date(now.getTime() + window.aheadDays * DAY_MS),
    log,
  );
}

/** The partition upkeep of a subgraph's time-partitioned tables (kit/periodic.ts). */
export type PartitionKeeper = PeriodicTask<void>;

/**
 * Keeps each table's partition window ready: runs every `intervalMs` (a day by default), as the
 * serving role (through `partition_create`). A failed run is logged; the next one tries again, and
 * meanwhile rows go to DEFAULT and are moved out when their partition is made.
 */
export function startPartitionKeeper(
  ds: DataSource,
  tables: readonly { spec: PartitionSpec; window: PartitionWindow }[],
  opts: { intervalMs?: number; log: Logger },
): PartitionKeeper {
  return startPeriodic(
    async () => {
      for (const t of tables) await ensurePartitionWindow(ds, t.spec, t.window, new Date(), opts.log);
    },
    tables.length ? (opts.intervalMs ?? DAY_MS) : 0,
    (e) => opts.log.error({ reason: (e as Error).message }, 'partition upkeep failed'),
  );
}

/**
 * Detaches and drops one partition (never DEFAULT) in the caller's transaction, through
 * `partition_drop`; returns how many rows it held. The drop writes no per-row outbox events (no
 * DELETE runs): the caller appends the one PURGED event that describes it.
 */
export async function dropPartition(m: EntityManager, spec: PartitionSpec, partition: string): Promise<number> {
  checkSpec(spec);
  const [row] = (await m.query(`SELECT partition_drop($1::regclass, $2) AS n`, [
    `public.${spec.table}`,
    partition,
  ])) as { n: string }[];
  return Number(row?.n ?? 0);
}

// --- the migration's part ---

/**
 * The schema and the two owner functions (see the module comment). `format('%L', timestamptz)`
 * renders the bound with its offset, so the session's time zone cannot shift a partition.
 */
export async function createPartitionFunctions(q: QueryRunner): Promise<void> {
  await q.query(`CREATE SCHEMA ${PARTITION_SCHEMA}`);
  await q.query(`
    CREATE FUNCTION partition_create(parent regclass, name text, lower timestamptz, upper timestamptz)
      RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $body$
    DECLARE
      key text;
      def regclass;
      target text := format('%I.%I', '${PARTITION_SCHEMA}', name);
      moved bigint := 0;
    BEGIN
      IF NOT has_table_privilege(session_user, parent, 'INSERT') THEN
        RAISE EXCEPTION 'permission denied to add partitions to %', parent USING ERRCODE = 'insufficient_privilege';
      END IF;
      IF name !~ '^[a-z_][a-z0-9_]{0,62}$' OR lower >= upper THEN
        RAISE EXCEPTION 'bad partition % [%, %)', name, lower, upper;
      END IF;
      IF to_regclass(target) IS NOT NULL THEN RETURN NULL; END IF;
      SELECT a.attname INTO key FROM pg_partitioned_table p
        JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
       WHERE p.partrelid = parent AND p.partstrat = 'r' AND p.partnatts = 1;
      IF key IS NULL THEN RAISE EXCEPTION '% is not range-partitioned by one column', parent; END IF;
      SELECT i.inhrelid::regclass INTO def FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = parent AND pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT';
      IF def IS NULL THEN
        EXECUTE format('CREATE TABLE %s PARTITION OF %s FOR VALUES FROM (%L) TO (%L)', target, parent, lower, upper);
        RETURN 0;
      END IF;
      -- Rows of the range already in DEFAULT would make the new bound invalid: move them first.
      -- Straight from partition to partition, so the parent's outbox triggers see no change.
      EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', def);
      EXECUTE format('CREATE TABLE %s (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', target, parent);
      EXECUTE format('WITH m AS (DELETE FROM %s WHERE %I >= %L AND %I < %L RETURNING *) INSERT INTO %s SELECT * FROM m',
                     def, key, lower, key, upper, target);
      GET DIAGNOSTICS moved = ROW_COUNT;
      EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (%L) TO (%L)', parent, target, lower, upper);
      RETURN moved;
    END
    $body$`);
  await q.query(`
    CREATE FUNCTION partition_drop(parent regclass, name text)
      RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $body$
    DECLARE
      part regclass := to_regclass(name); -- resolved here: the caller needs no access to the schema
      n bigint;
    BEGIN
      IF NOT has_table_privilege(session_user, parent, 'DELETE') THEN
        RAISE EXCEPTION 'permission denied to drop partitions of %', parent USING ERRCODE = 'insufficient_privilege';
      END IF;
      IF NOT EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                      WHERE part IS NOT NULL AND i.inhparent = parent AND i.inhrelid = part
                        AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT') THEN
        RAISE EXCEPTION '% is not a range partition of %', name, parent;
      END IF;
      EXECUTE format('SELECT count(*) FROM %s', part) INTO n;
      EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', parent, part);
      EXECUTE format('DROP TABLE %s', part);
      RETURN n;
    END
    $body$`);
}

export async function dropPartitionFunctions(q: QueryRunner): Promise<void> {
  await q.query(`DROP FUNCTION partition_drop(regclass, text)`);
  await q.query(`DROP FUNCTION partition_create(regclass, text, timestamptz, timestamptz)`);
  await q.query(`DROP SCHEMA ${PARTITION_SCHEMA}`);
}

/** The DEFAULT partition of a partitioned table, in the partitions schema. */
export async function createDefaultPartition(q: QueryRunner, spec: PartitionSpec): Promise<void> {
  checkSpec(spec);
  await q.query(`CREATE TABLE ${PARTITION_SCHEMA}.${spec.table}_default PARTITION OF ${spec.table} DEFAULT`);
}
