import type { DataSource, EntityManager } from 'typeorm';
import { AUDIT_TABLE, PERSON_TYPES } from './audit';
import type { SubgraphName } from './module';
import { tryUpgradeRef, type PseudonymKey } from './pseudonym';

/**
 * Re-keying of stored pseudonyms (docs/KEYS.md, "Re-keying the pseudonymisation secret"): after a
 * key is added to the ring and every service runs with it, every `Citizen.ref` a subgraph stores
 * under an earlier key version is rewritten to the current version (`tryUpgradeRef`: the later
 * keys applied in turn; the document is not needed).
 *
 * Runs as the database owner: it is the one maintenance operation allowed to update
 * `audit_record` (the serving role may only INSERT and SELECT there). Work is done in batches,
 * each its own short transaction (rows locked FOR UPDATE, so concurrent writes are not lost);
 * a ref carries its version, so only rows still holding an earlier version are selected, and a run
 * interrupted midway is resumed by running it again; a run with nothing left to do changes nothing.
 * Nothing here logs or returns a ref.
 */

export interface RefColumn {
  table: string;
  column: string;
  /**
   * `text`: one ref per row (or null); `array`: a `text[]` of refs; `key`: the table's primary key,
   * referenced by foreign keys — re-keyed by inserting the row under the new ref, repointing the
   * referencing rows, and deleting the old row (merged into a row already under the new ref).
   */
  kind: 'text' | 'array' | 'key';
  /** For `text` and `array`: the table's single-column primary key (the batches' order). */
  id?: string;
  /** Only the rows matching this condition (on the table's own columns) hold refs in the column. */
  where?: string;
}

const sqlList = (values: Iterable<string>) => [...values].map((v) => `'${v.replace(/'/g, "''")}'`).join(', ');

/** The read audit, the same in every subgraph (kit/audit.ts). */
const AUDIT_COLUMNS: readonly RefColumn[] = [
  { table: AUDIT_TABLE, column: 'subject_refs', kind: 'array', id: 'id' },
  // a person entity's audit rows name it by its ref
  {
    table: AUDIT_TABLE,
    column: 'entity_id',
    kind: 'text',
    id: 'id',
    where: `entity_type IN (${sqlList(PERSON_TYPES)})`,
  },
];

/**
 * Every stored column holding a `Citizen.ref`, per subgraph. The columns with foreign keys to a
 * `key` column (declarations: `identity_snapshot`, `health_declaration`, `monitoring_period`) are
 * found in the catalog and repointed with it. A test checks that every `*_ref`/`*_refs` column of
 * the migrated schemas is covered.
 */
export const REF_COLUMNS: Record<SubgraphName, readonly RefColumn[]> = {
  organisations: [...AUDIT_COLUMNS],
  declarations: [{ table: 'citizen', column: 'ref', kind: 'key' }, ...AUDIT_COLUMNS],
  movement: [
    { table: 'movement_declaration', column: 'citizen_ref', kind: 'text', id: 'id' },
    { table: 'movement_declaration', column: 'companion_refs', kind: 'array', id: 'id' },
    ...AUDIT_COLUMNS,
  ],
  checkpoints: [{ table: 'passage', column: 'citizen_ref', kind: 'text', id: 'id' }, ...AUDIT_COLUMNS],
  feedback: [
    { table: 'feedback', column: 'reporter_ref', kind: 'text', id: 'id' },
    { table: 'feedback', column: 'reported_ref', kind: 'text', id: 'id' },
    ...AUDIT_COLUMNS,
  ],
};

export interface RekeyCount {
  table: string;
  column: string;
  /** Rows rewritten (for a `key` column: rows moved to their new ref, merged ones included). */
  rows: number;
  /** `key` columns: rows merged into a row already stored under the new ref. */
  merged?: number;
  /** Rows left alone because a ref in them is malformed or of a version the ring does not hold. */
  unknown: number;
}

export interface RekeyResult {
  subgraph: SubgraphName;
  /** The ring's current version: every ref written is of it. */
  version: string;
  counts: RekeyCount[];
  /** Rows rewritten in all. */
  changed: number;
  /** Rows left alone (unknown versions) in all: non-zero means the ring is not the services' one. */
  unknown: number;
}

export interface RekeyOptions {
  /** Rows per batch (one transaction each); default 500. */
  batchSize?: number;
  /** Called after each committed batch (progress; a test interrupts a run here). */
  onBatch?: (progress: { table: string; column: string; rows: number }) => void | Promise<void>;
}

export class RekeyError extends Error {}

const IDENT = /^[a-z_][a-z0-9_]*$/;
const q = (name: string) => {
  if (!IDENT.test(name)) throw new RekeyError(`not a plain identifier: ${name}`);
  return `"${name}"`;
};

/** `NOT (<ref> is of the current version)`, on a SQL expression, with the prefix in $1/$2. */
const stale = (expr: string) => `left(${expr}, $1) <> $2`;

interface ForeignRef {
  table: string;
  column: string;
}

/**
 * The single-column foreign keys referencing `table.column`; on a partitioned table, only the
 * parent's constraint (each partition has its own copy, `conparentid` naming the parent's; writing
 * through the parent reaches every partition).
 */
async function referencing(m: EntityManager | DataSource, table: string, column: string): Promise<ForeignRef[]> {
  const rows = (await m.query(
    `SELECT cl.relname AS "table", a.attname AS "column"
       FROM pg_constraint c
       JOIN pg_class cl ON cl.oid = c.conrelid
       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
       JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]
      WHERE c.contype = 'f' AND c.confrelid = to_regclass($1) AND fa.attname = $2
        AND cardinality(c.conkey) = 1 AND c.conparentid = 0
      ORDER BY 1, 2`,
    [table, column],
  )) as ForeignRef[];
  return rows;
}

/** The columns of `table` (in order), for copying a row under a new key. */
async function columnsOf(m: EntityManager, table: string): Promise<string[]> {
  const rows = (await m.query(
    `SELECT column_name AS name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
    [table],
  )) as { name: string }[];
  return rows.map((r) => r.name);
}

/** Refuses to run on a database whose schema lacks a ref column (not migrated yet). */
async function assertColumns(ds: DataSource, subgraph: SubgraphName): Promise<void> {
  const rows = (await ds.query(
    `SELECT table_name || '.' || column_name AS c FROM information_schema.columns WHERE table_schema = current_schema()`,
  )) as { c: string }[];
  const present = new Set(rows.map((r) => r.c));
  const missing = REF_COLUMNS[subgraph].map((c) => `${c.table}.${c.column}`).filter((c) => !present.has(c));
  if (missing.length) {
    throw new RekeyError(
      `the ${subgraph} database has no ${missing.join(', ')}: migrate it first (start the subgraph)`,
    );
  }
}

/** old → current for the refs of one batch that are of an earlier version of the ring. */
function mapping(
  refs: Iterable<string>,
  key: PseudonymKey,
  prefix: string,
): { map: Map<string, string>; unknown: Set<string> } {
  const map = new Map<string, string>();
  const unknown = new Set<string>();
  for (const ref of refs) {
    if (ref.startsWith(prefix) || map.has(ref)) continue;
    const upgraded = tryUpgradeRef(ref, key);
    if (upgraded === null) unknown.add(ref);
    else map.set(ref, upgraded);
  }
  return { map, unknown };
}

interface Batch {
  rows: number;
  merged: number;
  unknown: number;
  /** Keyset position after this batch; undefined when the column is done. */
  next: string | undefined;
  children: Map<string, number>;
}

async function textBatch(
  m: EntityManager,
  c: RefColumn,
  key: PseudonymKey,
  prefix: string,
  after: string | undefined,
  size: number,
): Promise<Batch> {
  const id = q(c.id!);
  const col = q(c.column);
  const params: unknown[] = [prefix.length, prefix];
  if (after !== undefined) params.push(after);
  const rows = (await m.query(
    `SELECT ${id}::text AS row_id, ${col} AS ref FROM ${q(c.table)}
      WHERE ${col} IS NOT NULL AND ${stale(col)} ${c.where ? `AND (${c.where})` : ''}
        ${after !== undefined ? `AND ${id} > $3` : ''}
      ORDER BY ${id} LIMIT ${size} FOR UPDATE`,
    params,
  )) as { row_id: string; ref: string }[];
  const { map, unknown } = mapping(
    rows.map((r) => r.ref),
    key,
    prefix,
  );
  const ids = rows.filter((r) => map.has(r.ref)).map((r) => r.row_id);
  if (ids.length) {
    await m.query(
      `UPDATE ${q(c.table)} AS t SET ${col} = m.new
         FROM unnest($1::text[], $2::text[]) AS m(old, new)
        WHERE t.${col} = m.old AND t.${id} = ANY($3)`,
      [[...map.keys()], [...map.values()], ids],
    );
  }
  return {
    rows: ids.length,
    merged: 0,
    unknown: rows.filter((r) => unknown.has(r.ref)).length,
    next: rows.length === size ? rows[rows.length - 1]!.row_id : undefined,
    children: new Map(),
  };
}

async function arrayBatch(
  m: EntityManager,
  c: RefColumn,
  key: PseudonymKey,
  prefix: string,
  after: string | undefined,
  size: number,
): Promise<Batch> {
  const id = q(c.id!);
  const col = q(c.column);
  const params: unknown[] = [prefix.length, prefix];
  if (after !== undefined) params.push(after);
  const rows = (await m.query(
    `SELECT ${id}::text AS row_id, ${col} AS refs FROM ${q(c.table)} AS t
      WHERE EXISTS (SELECT 1 FROM unnest(t.${col}) AS r(ref) WHERE ${stale('r.ref')})
        ${c.where ? `AND (${c.where})` : ''}
        ${after !== undefined ? `AND ${id} > $3` : ''}
      ORDER BY ${id} LIMIT ${size} FOR UPDATE`,
    params,
  )) as { row_id: string; refs: (string | null)[] }[];
  const all = rows.flatMap((r) => r.refs.filter((x): x is string => x !== null));
  const { map, unknown } = mapping(all, key, prefix);
  const ids = rows.filter((r) => r.refs.some((x) => x !== null && map.has(x))).map((r) => r.row_id);
  if (ids.length) {
    // each element mapped in place; a ref present under both versions is kept once, first place wins
    await m.query(
      `UPDATE ${q(c.table)} AS t SET ${col} = ARRAY(
         SELECT v.ref FROM (
           SELECT coalesce(m.new, u.ref) AS ref, min(u.i) AS i
             FROM unnest(t.${col}) WITH ORDINALITY AS u(ref, i)
             LEFT JOIN unnest($1::text[], $2::text[]) AS m(old, new) ON m.old = u.ref
            GROUP BY 1) AS v
          ORDER BY v.i)
        WHERE t.${id} = ANY($3)`,
      [[...map.keys()], [...map.values()], ids],
    );
  }
  return {
    rows: ids.length,
    merged: 0,
    unknown: rows.filter((r) => r.refs.some((x) => x !== null && unknown.has(x))).length,
    next: rows.length === size ? rows[rows.length - 1]!.row_id : undefined,
    children: new Map(),
  };
}

async function keyBatch(
  m: EntityManager,
  c: RefColumn,
  children: readonly ForeignRef[],
  key: PseudonymKey,
  prefix: string,
  after: string | undefined,
  size: number,
): Promise<Batch> {
  const table = q(c.table);
  const col = q(c.column);
  const params: unknown[] = [prefix.length, prefix];
  if (after !== undefined) params.push(after);
  const rows = (await m.query(
    `SELECT ${col} AS ref FROM ${table}
      WHERE ${stale(col)} ${after !== undefined ? `AND ${col} > $3` : ''}
      ORDER BY ${col} LIMIT ${size} FOR UPDATE`,
    params,
  )) as { ref: string }[];
  const { map, unknown } = mapping(
    rows.map((r) => r.ref),
    key,
    prefix,
  );
  const childCounts = new Map<string, number>();
  let merged = 0;
  if (map.size) {
    const pairs = [[...map.keys()], [...map.values()]];
    // 1. the row under its new ref (merged into one already there: its empty columns filled in)
    const others = (await columnsOf(m, c.table)).filter((x) => x !== c.column);
    const set = others.map((x) =>
      x === 'created_at'
        ? `${q(x)} = LEAST(${table}.${q(x)}, EXCLUDED.${q(x)})`
        : `${q(x)} = COALESCE(${table}.${q(x)}, EXCLUDED.${q(x)})`,
    );
    const upserted = (await m.query(
      `INSERT INTO ${table} (${[c.column, ...others].map(q).join(', ')})
       SELECT m.new, ${others.map((x) => `o.${q(x)}`).join(', ')}
         FROM ${table} AS o JOIN unnest($1::text[], $2::text[]) AS m(old, new) ON o.${col} = m.old
       ON CONFLICT (${col}) DO ${set.length ? `UPDATE SET ${set.join(', ')}` : 'NOTHING'}
       RETURNING (xmax::text <> '0') AS merged`,
      pairs,
    )) as { merged: boolean }[];
    merged = upserted.filter((r) => r.merged).length;
    // 2. the rows referencing it
    for (const ch of children) {
      const [{ n }] = (await m.query(
        `WITH u AS (
           UPDATE ${q(ch.table)} AS t SET ${q(ch.column)} = m.new
             FROM unnest($1::text[], $2::text[]) AS m(old, new)
            WHERE t.${q(ch.column)} = m.old RETURNING 1)
         SELECT count(*)::int AS n FROM u`,
        pairs,
      )) as [{ n: number }];
      childCounts.set(`${ch.table}.${ch.column}`, n);
    }
    // 3. the old row
    await m.query(`DELETE FROM ${table} WHERE ${col} = ANY($1::text[])`, [pairs[0]]);
  }
  return {
    rows: map.size,
    merged,
    unknown: unknown.size,
    next: rows.length === size ? rows[rows.length - 1]!.ref : undefined,
    children: childCounts,
  };
}

/**
 * Rewrites every ref of an earlier key version stored in one subgraph's database (connected as
 * the owner) to the ring's current version. Returns the rows changed per column; never a ref.
 */
export async function rekeySubgraph(
  ds: DataSource,
  subgraph: SubgraphName,
  key: PseudonymKey,
  opts: RekeyOptions = {},
): Promise<RekeyResult> {
  const size = opts.batchSize ?? 500;
  if (!Number.isInteger(size) || size < 1) throw new RekeyError('the batch size must be a positive integer');
  await assertColumns(ds, subgraph);
  const prefix = `${key.version}.`;
  const counts: RekeyCount[] = [];
  for (const c of REF_COLUMNS[subgraph]) {
    const children = c.kind === 'key' ? await referencing(ds, c.table, c.column) : [];
    const count: RekeyCount = { table: c.table, column: c.column, rows: 0, unknown: 0 };
    if (c.kind === 'key') count.merged = 0;
    const childCounts = children.map((ch) => ({ table: ch.table, column: ch.column, rows: 0, unknown: 0 }));
    let after: string | undefined;
    for (;;) {
      const batch = await ds.transaction((m) => {
        switch (c.kind) {
          case 'text':
            return textBatch(m, c, key, prefix, after, size);
          case 'array':
            return arrayBatch(m, c, key, prefix, after, size);
          case 'key':
            return keyBatch(m, c, children, key, prefix, after, size);
        }
      });
      count.rows += batch.rows;
      count.unknown += batch.unknown;
      if (count.merged !== undefined) count.merged += batch.merged;
      for (const cc of childCounts) cc.rows += batch.children.get(`${cc.table}.${cc.column}`) ?? 0;
      if (batch.rows) await opts.onBatch?.({ table: c.table, column: c.column, rows: batch.rows });
      if (batch.next === undefined) break;
      after = batch.next;
    }
    counts.push(count, ...childCounts);
  }
  return {
    subgraph,
    version: key.version,
    counts,
    changed: counts.reduce((n, c) => n + c.rows, 0),
    unknown: counts.reduce((n, c) => n + c.unknown, 0),
  };
}

export interface StaleCount {
  table: string;
  column: string;
  /** Rows still holding a ref of an earlier version the ring knows (to be re-keyed). */
  stale: number;
  /** Rows holding a malformed ref or one of a version the ring does not hold. */
  unknown: number;
}

/**
 * Counts, without changing anything, the rows of one subgraph's database still holding refs that
 * are not of the ring's current version (`npm run rekey-pseudonyms -- --check`).
 */
export async function countStaleRefs(ds: DataSource, subgraph: SubgraphName, key: PseudonymKey): Promise<StaleCount[]> {
  await assertColumns(ds, subgraph);
  const prefix = `${key.version}.`;
  const out: StaleCount[] = [];
  const columns: RefColumn[] = [];
  for (const c of REF_COLUMNS[subgraph]) {
    columns.push(c);
    if (c.kind === 'key') {
      for (const ch of await referencing(ds, c.table, c.column)) columns.push({ ...ch, kind: 'text' });
    }
  }
  for (const c of columns) {
    const col = q(c.column);
    const refs =
      c.kind === 'array'
        ? `SELECT DISTINCT r.ref FROM ${q(c.table)} AS t, unnest(t.${col}) AS r(ref)
            WHERE ${stale('r.ref')} ${c.where ? `AND (${c.where})` : ''}`
        : `SELECT DISTINCT ${col} AS ref FROM ${q(c.table)}
            WHERE ${col} IS NOT NULL AND ${stale(col)} ${c.where ? `AND (${c.where})` : ''}`;
    const distinct = ((await ds.query(refs, [prefix.length, prefix])) as { ref: string }[]).map((r) => r.ref);
    const { unknown } = mapping(distinct, key, prefix);
    const rowsWith = async (list: string[]) => {
      if (!list.length) return 0;
      const [{ n }] = (await ds.query(
        c.kind === 'array'
          ? `SELECT count(*)::int AS n FROM ${q(c.table)} WHERE ${col} && $1::text[] ${c.where ? `AND (${c.where})` : ''}`
          : `SELECT count(*)::int AS n FROM ${q(c.table)} WHERE ${col} = ANY($1::text[]) ${c.where ? `AND (${c.where})` : ''}`,
        [list],
      )) as [{ n: number }];
      return n;
    };
    out.push({
      table: c.table,
      column: c.column,
      stale: await rowsWith(distinct.filter((r) => !unknown.has(r))),
      unknown: await rowsWith([...unknown]),
    });
  }
  return out;
}
