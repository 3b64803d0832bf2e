import { Column, Entity, Index, PrimaryGeneratedColumn, type EntityManager, type QueryRunner } from 'typeorm';
import { badInput } from './errors';
import { isNationalPrincipal } from './jurisdiction';
import { pageSize } from './pagination';
import type { Principal } from './principal';

/**
 * The transactional outbox (DESIGN §6). Every create, change and deletion of a subgraph's own
 * records appends an `outbox_event` row in the same transaction: statement-level triggers on each
 * table (created by the subgraph's Outbox migration from an `OutboxTable` list) insert one event per
 * row touched, so no code path can forget one, a rolled-back change leaves none, and a bulk insert
 * costs one extra INSERT … SELECT. Audit rows, idempotency keys and the copies of reference data
 * (another subgraph's units) produce no events. A retention purge produces one PURGED event per
 * purged range (`purgeRange`).
 *
 * Positions come from an identity column, and a position is not commit order: a transaction that
 * took position 99 may commit after one that took 100. The feed therefore reads in snapshot batches
 * (the PgQ scheme): a batch is the set of events whose transaction is visible in the current
 * snapshot and was not visible in the previous batch's snapshot, ordered by position. Every
 * transaction is in exactly one batch, after every transaction that committed before it started
 * writing the same row — so nothing is skipped, nothing repeats, and one entity's events keep their
 * order. The cursor carries the two snapshots and the last position served.
 */

export type ChangeKind = 'CREATED' | 'UPDATED' | 'DELETED' | 'PURGED';

export interface OutboxTable {
  table: string;
  /** The GraphQL entity type the event is about (e.g. `Passage`). */
  entityType: string;
  /** SQL of the entity id, over the row alias `r` (e.g. `r.id::text`). */
  id: string;
  /** SQL of a text[] of the unit codes the row concerns, over `r` and `join` aliases; nulls dropped. */
  unitCodes: string;
  /** Optional joins to other tables (e.g. the checkpoint of a passage), still present when `r` is deleted. */
  join?: string;
  /**
   * SQL of the change kind of each operation, over `r`; default 'CREATED' / 'UPDATED' / 'DELETED'.
   * A row that is a part of another entity (a new identity snapshot changes the citizen) maps every
   * operation to 'UPDATED'; a new version row of a versioned entity is an update of it.
   */
  kinds?: Partial<Record<'INSERT' | 'UPDATE' | 'DELETE', string>>;
}

@Entity({ name: 'outbox_event' })
@Index('outbox_event_txid_idx', ['txid'])
export class OutboxEventEntity {
  @PrimaryGeneratedColumn('identity', {
    type: 'bigint',
    generatedIdentity: 'ALWAYS',
    primaryKeyConstraintName: 'outbox_event_pkey',
  })
  position: string;

  /** The event id (receivers de-duplicate by it). */
  @Column({ type: 'uuid' })
  id: string;

  /** `pg_current_xact_id()` of the writing transaction, as bigint. */
  @Column({ type: 'bigint' })
  txid: string;

  @Column({ name: 'entity_type', type: 'text' })
  entityType: string;

  @Column({ name: 'entity_id', type: 'text' })
  entityId: string;

  @Column({ name: 'change_kind', type: 'text' })
  changeKind: ChangeKind;

  @Column({ name: 'unit_codes', type: 'text', array: true })
  unitCodes: string[];

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  /** PURGED events: the range purged and how many records. */
  @Column({ type: 'jsonb', nullable: true })
  details: Record<string, unknown> | null;
}

const NAME = /^[a-z_][a-z0-9_]{0,40}$/;
const OPS = { INSERT: 'ins', UPDATE: 'upd', DELETE: 'del' } as const;
const DEFAULT_KIND = { INSERT: "'CREATED'", UPDATE: "'UPDATED'", DELETE: "'DELETED'" } as const;

const fn = (t: OutboxTable, op: keyof typeof OPS) => `outbox_${t.table}_${OPS[op]}`;

async function createOutboxTable(q: QueryRunner): Promise<void> {
  await q.query(`
    CREATE TABLE outbox_event (
      position bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT outbox_event_pkey PRIMARY KEY,
      id uuid NOT NULL,
      txid bigint NOT NULL,
      entity_type text NOT NULL,
      entity_id text NOT NULL,
      change_kind text NOT NULL,
      unit_codes text[] NOT NULL,
      occurred_at timestamptz NOT NULL,
      details jsonb
    )`);
  await q.query(`CREATE INDEX outbox_event_txid_idx ON outbox_event (txid)`);
}

/** Creates the three statement-level triggers of each table (INSERT, UPDATE, DELETE). */
export async function createOutboxTriggers(q: QueryRunner, tables: readonly OutboxTable[]): Promise<void> {
  for (const t of tables) {
    if (!NAME.test(t.table) || !/^[A-Za-z]+$/.test(t.entityType)) throw new Error(`bad outbox table ${t.table}`);
    for (const op of ['INSERT', 'UPDATE', 'DELETE'] as const) {
      const rows = op === 'DELETE' ? 'old_rows' : 'new_rows';
      const kind = t.kinds?.[op] ?? DEFAULT_KIND[op];
      await q.query(`
        CREATE FUNCTION ${fn(t, op)}() RETURNS trigger LANGUAGE plpgsql AS $body$
        BEGIN
          IF current_setting('outbox.suppress', true) = 'on' THEN RETURN NULL; END IF;
          INSERT INTO outbox_event (id, txid, entity_type, entity_id, change_kind, unit_codes, occurred_at)
          SELECT gen_random_uuid(), pg_current_xact_id()::text::bigint, '${t.entityType}', ${t.id}, ${kind},
                 array_remove(${t.unitCodes}, NULL), clock_timestamp()
            FROM ${rows} r ${t.join ?? ''};
          RETURN NULL;
        END
        $body$`);
      await q.query(`
        CREATE TRIGGER ${fn(t, op)} AFTER ${op} ON ${t.table}
          REFERENCING ${op === 'DELETE' ? 'OLD' : 'NEW'} TABLE AS ${rows}
          FOR EACH STATEMENT EXECUTE FUNCTION ${fn(t, op)}()`);
    }
  }
}

export async function dropOutboxTriggers(q: QueryRunner, tables: readonly OutboxTable[]): Promise<void> {
  for (const t of tables) {
    for (const op of ['INSERT', 'UPDATE', 'DELETE'] as const) {
      await q.query(`DROP TRIGGER ${fn(t, op)} ON ${t.table}`);
      await q.query(`DROP FUNCTION ${fn(t, op)}()`);
    }
  }
}

async function dropOutboxTable(q: QueryRunner): Promise<void> {
  await q.query(`DROP TABLE outbox_event`);
}

/** A subgraph's Outbox migration: the table, then the triggers of each listed table. */
export async function createOutbox(q: QueryRunner, tables: readonly OutboxTable[]): Promise<void> {
  await createOutboxTable(q);
  await createOutboxTriggers(q, tables);
}

export async function dropOutbox(q: QueryRunner, tables: readonly OutboxTable[]): Promise<void> {
  await dropOutboxTriggers(q, tables);
  await dropOutboxTable(q);
}

/**
 * Deletes a range of records without one event per row, and appends one PURGED event describing
 * the range instead (retention). Runs in the caller's transaction.
 */
export async function purgeRange(
  m: EntityManager,
  purge: { entityType: string; deleteSql: string; params: unknown[]; range: Record<string, unknown> },
): Promise<number> {
  await m.query(`SELECT set_config('outbox.suppress', 'on', true)`);
  const rows = (await m.query(`WITH purged AS (${purge.deleteSql} RETURNING 1) SELECT count(*)::int AS n FROM purged`, [
    ...purge.params,
  ])) as { n: number }[];
  await m.query(`SELECT set_config('outbox.suppress', 'off', true)`);
  const count = rows[0]?.n ?? 0;
  await m.query(
    `INSERT INTO outbox_event (id, txid, entity_type, entity_id, change_kind, unit_codes, occurred_at, details)
     VALUES (gen_random_uuid(), pg_current_xact_id()::text::bigint, $1, '*', 'PURGED', '{}', clock_timestamp(), $2)`,
    [purge.entityType, JSON.stringify({ ...purge.range, count })],
  );
  return count;
}

// --- the feed ---

export interface ChangeEvent {
  id: string;
  position: string;
  entityType: string;
  entityId: string;
  kind: ChangeKind;
  unitCodes: string[];
  at: Date;
  details: Record<string, unknown> | null;
}

export interface ChangePage {
  events: ChangeEvent[];
  /** Resume here; never null (an empty page returns a cursor for the next poll). */
  endCursor: string;
  /** Whether more events are ready now (read again at once); false: poll later. */
  hasMore: boolean;
}

interface FeedCursor {
  /** Snapshot of the previous batch (null before the first). */
  s: string | null;
  /** Snapshot of the batch being paged (null when between batches). */
  n: string | null;
  /** Last position served within batch `n`. */
  p: string;
}

const SNAPSHOT = /^\d+:\d+:(\d+(,\d+)*)?$/;

function encode(c: FeedCursor): string {
  return Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
}

function decode(after: string | null | undefined): FeedCursor {
  if (after === null || after === undefined || after === '') return { s: null, n: null, p: '0' };
  try {
    const c = JSON.parse(Buffer.from(after, 'base64url').toString('utf8')) as FeedCursor;
    const snapOk = (v: unknown) => v === null || (typeof v === 'string' && SNAPSHOT.test(v));
    if (c && snapOk(c.s) && snapOk(c.n) && typeof c.p === 'string' && /^\d{1,19}$/.test(c.p)) return c;
  } catch {
    // fall through
  }
  throw badInput('after', 'is not a cursor returned by this feed');
}

export interface ChangeQuery {
  after?: string | null;
  first?: number | null;
  entityTypes?: readonly string[] | null;
}

/** The SQL condition of the principal's jurisdiction over `unit_codes` (national: everything). */
function jurisdictionOf(principal: Principal, params: unknown[]): string {
  if (isNationalPrincipal(principal)) return 'TRUE';
  const codes = principal.jurisdictions.map((j) => j.unitCode).filter((c): c is string => c !== null);
  if (!codes.length) return 'FALSE';
  params.push(codes);
  return `e.unit_codes && $${params.length}::text[]`;
}

/**
 * One page of the feed for `principal`: events of the allowed entity types in its jurisdiction,
 * batch by batch in commit-safe order (see the module comment).
 */
export async function readChanges(
  db: { query(sql: string, params?: unknown[]): Promise<unknown> },
  principal: Principal,
  q: ChangeQuery,
  knownTypes: readonly string[],
): Promise<ChangePage> {
  const size = pageSize(q.first);
  const types = q.entityTypes ?? null;
  for (const t of types ?? []) {
    if (!knownTypes.includes(t))
      throw badInput('entityTypes', `unknown entity type ${t}: one of ${knownTypes.join(', ')}`);
  }
  const cursor = decode(q.after);
  const current = cursor.n ?? ((await db.query(`SELECT pg_current_snapshot()::text AS s`)) as { s: string }[])[0]!.s;
  const params: unknown[] = [current, cursor.s, cursor.n ? cursor.p : '0', size + 1];
  const conditions = [
    `pg_visible_in_snapshot(e.txid::text::xid8, $1::pg_snapshot)`,
    `($2::pg_snapshot IS NULL OR (e.txid >= pg_snapshot_xmin($2::pg_snapshot)::text::bigint
       AND NOT pg_visible_in_snapshot(e.txid::text::xid8, $2::pg_snapshot)))`,
    `e.txid < pg_snapshot_xmax($1::pg_snapshot)::text::bigint`,
    `e.position > $3::bigint`,
  ];
  if (types) {
    params.push(types);
    conditions.push(`e.entity_type = ANY ($${params.length}::text[])`);
  }
  conditions.push(jurisdictionOf(principal, params));
  const rows = (await db.query(
    `SELECT e.id, e.position::text AS position, e.entity_type, e.entity_id, e.change_kind, e.unit_codes,
            e.occurred_at, e.details
       FROM outbox_event e WHERE ${conditions.join(' AND ')}
      ORDER BY e.position LIMIT $4`,
    params,
  )) as Record<string, unknown>[];
  const events = rows.slice(0, size).map((r): ChangeEvent => ({
    id: r.id as string,
    position: r.position as string,
    entityType: r.entity_type as string,
    entityId: r.entity_id as string,
    kind: r.change_kind as ChangeKind,
    unitCodes: r.unit_codes as string[],
    at: r.occurred_at as Date,
    details: (r.details as Record<string, unknown> | null) ?? null,
  }));
  const more = rows.length > size;
  const next: FeedCursor = more
    ? { s: cursor.s, n: current, p: events[events.length - 1]!.position }
    : { s: current, n: null, p: '0' };
  // a finished batch that was being paged: the next read opens a new batch at once
  return { events, endCursor: encode(next), hasMore: more || cursor.n !== null };
}
