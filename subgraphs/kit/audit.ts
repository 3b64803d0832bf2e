import type { ApolloServerPlugin } from '@apollo/server';
import { applyMiddleware } from 'graphql-middleware';
import type { IMiddlewareFieldMap, IMiddlewareFunction } from 'graphql-middleware';
import { isObjectType, Kind, parse, type GraphQLSchema } from 'graphql';
import { Column, Entity, Index, PrimaryGeneratedColumn, type DataSource, type QueryRunner } from 'typeorm';
import { accessRulesOf } from './access';
import { MIGRATION_LOCK } from './locks';
import { ErrorCode, INTERNAL_MESSAGE } from './errors';
import type { Principal } from './principal';

/**
 * The read audit (DESIGN §5.6): every read of personal, sensitive or restricted fields leaves an
 * append-only `audit_record` row in the owning subgraph's database, committed before the response
 * leaves; if the write fails, the read fails. The serving role may only INSERT (and SELECT, for the
 * access log) these rows — see `grantApplicationRole`.
 */

export const AUDIT_TABLE = 'audit_record';
const AUDITED_CLASSES = new Set(['personal', 'sensitive', 'restricted']);

export interface AuditRecordRow {
  id: string;
  at: Date;
  actor: string;
  organisation: string | null;
  client: string | null;
  purpose: string | null;
  entityType: string;
  entityId: string;
  fields: string[];
  requestId: string;
  /** The pseudonyms (`Citizen.ref`) of the people the read concerns: the key of `Citizen.accessLog`. */
  subjectRefs: string[];
}

/** The entity (only so the drift check sees the table; rows are written with plain SQL). */
@Entity({ name: AUDIT_TABLE })
@Index('audit_record_entity_idx', ['entityType', 'entityId', 'at'])
@Index('audit_record_subject_refs_idx', ['subjectRefs'], { type: 'gin' })
export class AuditRecordEntity implements AuditRecordRow {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'audit_record_pkey' })
  id: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;

  @Column({ type: 'text' })
  actor: string;

  @Column({ type: 'text', nullable: true })
  organisation: string | null;

  @Column({ type: 'text', nullable: true })
  client: string | null;

  @Column({ type: 'text', nullable: true })
  purpose: string | null;

  @Column({ name: 'entity_type', type: 'text' })
  entityType: string;

  @Column({ name: 'entity_id', type: 'text' })
  entityId: string;

  @Column({ type: 'text', array: true })
  fields: string[];

  @Column({ name: 'request_id', type: 'text' })
  requestId: string;

  @Column({ name: 'subject_refs', type: 'text', array: true, default: () => "'{}'" })
  subjectRefs: string[];
}

/** DDL for the subgraphs' Audit migrations (the table is the same in every subgraph). */
export async function createAuditTable(q: QueryRunner): Promise<void> {
  await q.query(`
    CREATE TABLE audit_record (
      id bigserial CONSTRAINT audit_record_pkey PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      actor text NOT NULL,
      organisation text,
      client text,
      purpose text,
      entity_type text NOT NULL,
      entity_id text NOT NULL,
      fields text[] NOT NULL,
      request_id text NOT NULL
    )`);
  await q.query(`CREATE INDEX audit_record_entity_idx ON audit_record (entity_type, entity_id, at)`);
}

export async function dropAuditTable(q: QueryRunner): Promise<void> {
  await q.query(`DROP TABLE audit_record`);
}

/** DDL of the AuditSubjects migrations: whose data each read concerned (rows before it have none). */
export async function addAuditSubjectRefs(q: QueryRunner): Promise<void> {
  await q.query(`ALTER TABLE audit_record ADD COLUMN subject_refs text[] NOT NULL DEFAULT '{}'`);
  await q.query(`CREATE INDEX audit_record_subject_refs_idx ON audit_record USING gin (subject_refs)`);
}

export async function dropAuditSubjectRefs(q: QueryRunner): Promise<void> {
  await q.query(`DROP INDEX audit_record_subject_refs_idx`);
  await q.query(`ALTER TABLE audit_record DROP COLUMN subject_refs`);
}

/** The reads of one request, one entry per (entity type, id) with the fields read, in first-read order. */
export class AuditCollector {
  private readonly entries = new Map<
    string,
    { entityType: string; entityId: string; fields: Set<string>; subjectRefs: Set<string> }
  >();

  record(entityType: string, entityId: string, field: string, subjectRefs: readonly string[] = []): void {
    const key = `${entityType}\u0000${entityId}`;
    let e = this.entries.get(key);
    if (!e) {
      e = { entityType, entityId, fields: new Set(), subjectRefs: new Set() };
      this.entries.set(key, e);
    }
    e.fields.add(field);
    for (const r of subjectRefs) e.subjectRefs.add(r);
  }

  get size(): number {
    return this.entries.size;
  }

  entriesRead(): { entityType: string; entityId: string; fields: string[]; subjectRefs: string[] }[] {
    return [...this.entries.values()].map((e) => ({
      entityType: e.entityType,
      entityId: e.entityId,
      fields: [...e.fields],
      subjectRefs: [...e.subjectRefs],
    }));
  }
}

interface HasAudit {
  audit: AuditCollector;
}

function entityIdOf(parent: unknown): string | undefined {
  if (parent === null || typeof parent !== 'object') return undefined;
  const p = parent as Record<string, unknown>;
  const id = p.id ?? p.ref ?? p.code;
  if (id === null || id === undefined) return undefined;
  if (typeof id === 'string') return id;
  if (typeof id === 'number' || typeof id === 'bigint') return String(id);
  return undefined;
}

/** Types whose `ref` is a person's pseudonym (the citizen entity and its per-person views). */
export const PERSON_TYPES = new Set(['Citizen', 'CitizenAccessLog', 'CitizenRecords']);
/** Row properties that hold the pseudonym of a person the row is about. */
const SUBJECT_PROPERTIES = ['citizenRef', 'reporterRef', 'reportedRef'] as const;

/** The pseudonyms of the people a parent object (a row, or a person entity) concerns. */
export function subjectRefsOf(typeName: string, parent: unknown): string[] {
  if (parent === null || typeof parent !== 'object') return [];
  const p = parent as Record<string, unknown>;
  const out: string[] = [];
  if (PERSON_TYPES.has(typeName) && typeof p.ref === 'string') out.push(p.ref);
  for (const k of SUBJECT_PROPERTIES) if (typeof p[k] === 'string') out.push(p[k]);
  if (Array.isArray(p.companionRefs)) for (const r of p.companionRefs) if (typeof r === 'string') out.push(r);
  return out;
}

/** The `Type.field`s whose own rules or whose parent type's rules class them above operational. */
export function auditedFields(sdl: string, schema: GraphQLSchema): Map<string, string[]> {
  const rules = accessRulesOf(sdl);
  const audited = (list: { dataClass: string }[] | undefined) =>
    (list ?? []).some((r) => AUDITED_CLASSES.has(r.dataClass));
  const out = new Map<string, string[]>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const typeAudited = audited(rules.types.get(type.name));
    const fields = Object.keys(type.getFields()).filter(
      (f) => typeAudited || audited(rules.fields.get(`${type.name}.${f}`)),
    );
    if (fields.length) out.set(type.name, fields);
  }
  return out;
}

/**
 * Refuses a `@cacheControl` hint on an audited type or field: the gateway keeps entities a subgraph
 * marks cacheable (gateway/entity-fetch.ts) and answers later fetches from them, which would read
 * personal data without an audit record.
 */
export function assertNoCacheHintsOnAudited(sdl: string, schema: GraphQLSchema): void {
  const audited = auditedFields(sdl, schema);
  const hinted = (node: { directives?: readonly { name: { value: string } }[] }) =>
    (node.directives ?? []).some((d) => d.name.value === 'cacheControl');
  for (const def of parse(sdl).definitions) {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const fields = audited.get(def.name.value);
    if (!fields) continue;
    if (hinted(def)) {
      throw new Error(`${def.name.value} has audited fields (${fields.join(', ')}) and cannot carry @cacheControl`);
    }
    for (const field of def.fields ?? []) {
      if (hinted(field) && fields.includes(field.name.value)) {
        throw new Error(`${def.name.value}.${field.name.value} is audited and cannot carry @cacheControl`);
      }
    }
  }
}

/**
 * Wraps every audited field: once it has resolved without error, its read is recorded against the
 * parent entity (parent.id ?? parent.ref ?? parent.code). Applied outside the access shield, so a
 * denied field (an error) is never recorded.
 */
export function applyAuditCollection(sdl: string, schema: GraphQLSchema): GraphQLSchema {
  const track: IMiddlewareFunction<unknown, HasAudit> = async (resolve, parent, args, ctx, info) => {
    const value: unknown = await resolve(parent, args, ctx, info);
    if (!(value instanceof Error)) {
      const id = entityIdOf(parent);
      if (id !== undefined) {
        const type = info.parentType.name;
        ctx.audit.record(type, id, info.fieldName, subjectRefsOf(type, parent));
      }
    }
    return value;
  };
  const map: IMiddlewareFieldMap = {};
  for (const [type, fields] of auditedFields(sdl, schema)) {
    map[type] = Object.fromEntries(fields.map((f) => [f, track]));
  }
  return Object.keys(map).length ? applyMiddleware(schema, map) : schema;
}

/** The values of one `audit_record` row, in the order of AUDIT_COLUMNS. */
type AuditRow = unknown[];

const AUDIT_COLUMNS = 'actor, organisation, client, purpose, entity_type, entity_id, fields, request_id, subject_refs';

function auditRows(principal: Principal, collector: AuditCollector): AuditRow[] {
  return collector
    .entriesRead()
    .map((e) => [
      principal.subject,
      principal.organisationCode ?? null,
      principal.kind ?? null,
      principal.purpose ?? null,
      e.entityType,
      e.entityId,
      e.fields,
      principal.requestId,
      e.subjectRefs,
    ]);
}

/** One multi-row INSERT (9 parameters a row: keep rows under 7,000). */
async function insertAuditRows(db: Pick<DataSource, 'query'>, rows: readonly AuditRow[]): Promise<void> {
  const values: unknown[] = [];
  const tuples = rows.map((row) => {
    const base = values.length;
    values.push(...row);
    return `(${row.map((_, i) => `$${base + i + 1}`).join(', ')})`;
  });
  await db.query(`INSERT INTO audit_record (${AUDIT_COLUMNS}) VALUES ${tuples.join(', ')}`, values);
}

/** One multi-row INSERT of a request's reads, on `db` (a transaction's manager, or a pool). */
export async function writeAuditRecords(
  db: Pick<DataSource, 'query'>,
  principal: Principal,
  collector: AuditCollector,
): Promise<void> {
  const rows = auditRows(principal, collector);
  if (rows.length) await insertAuditRows(db, rows);
}

/**
 * Group commit of the read audit, one writer per connection pool. A request's records are written
 * before its answer is sent, as ever; what changes is that the records of requests finishing while
 * an insert is under way are written together by the next insert: one statement, one round trip and
 * one commit (with its WAL flush) for many requests under load, and nothing added when idle (a lone
 * request's insert starts at once). When an insert shared by several requests fails, each request's
 * records are tried on their own, so one request's failure never withholds another's answer.
 */
export class AuditWriter {
  private readonly queue: { rows: AuditRow[]; resolve(): void; reject(e: unknown): void }[] = [];
  private running = false;

  constructor(
    private readonly db: Pick<DataSource, 'query'>,
    /** Rows an insert takes at most (more requests wait for the next one; one request is never split). */
    private readonly maxRows = 5_000,
  ) {}

  write(principal: Principal, collector: AuditCollector): Promise<void> {
    const rows = auditRows(principal, collector);
    if (!rows.length) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ rows, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length) {
        const batch = this.take();
        try {
          await insertAuditRows(this.db, batch.length === 1 ? batch[0]!.rows : batch.flatMap((b) => b.rows));
          for (const b of batch) b.resolve();
        } catch (e) {
          if (batch.length === 1) {
            batch[0]!.reject(e);
            continue;
          }
          for (const b of batch) {
            await insertAuditRows(this.db, b.rows).then(b.resolve, b.reject);
          }
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** The requests the next insert takes: the first, and those after it up to `maxRows` rows. */
  private take() {
    let rows = this.queue[0]!.rows.length;
    let n = 1;
    while (n < this.queue.length && rows + this.queue[n]!.rows.length <= this.maxRows) {
      rows += this.queue[n]!.rows.length;
      n += 1;
    }
    return this.queue.splice(0, n);
  }
}

const auditWriters = new WeakMap<object, AuditWriter>();
/** The pool's group-commit writer (made on first use). */
export function auditWriterFor(db: Pick<DataSource, 'query'>): AuditWriter {
  let w = auditWriters.get(db);
  if (!w) auditWriters.set(db, (w = new AuditWriter(db)));
  return w;
}

interface AuditContext extends HasAudit {
  principal: Principal;
  db: DataSource;
  log: { error(obj: object, msg: string): void };
}

/**
 * Writes the collected reads when execution ends, before `willSendResponse` (so the request id and
 * the request log see the final answer). A failed write replaces the whole response by a masked
 * error without data: the read fails closed.
 */
export function auditPlugin<C extends AuditContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async executionDidStart(requestContext) {
          return {
            async executionDidEnd() {
              const { contextValue } = requestContext;
              if (!contextValue.audit.size) return;
              try {
                await auditWriterFor(contextValue.db).write(contextValue.principal, contextValue.audit);
              } catch (err) {
                contextValue.log.error({ err }, 'audit write failed; response withheld');
                requestContext.response.body = {
                  kind: 'single',
                  singleResult: {
                    errors: [{ message: INTERNAL_MESSAGE, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }],
                  },
                };
              }
            },
          };
        },
      };
    },
  };
}

const ROLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Grants the serving role what it needs and no more, on the database `ownerDs` is connected to
 * (run by the owner at start-up, after migrations): read and write on the subgraph's tables, only
 * INSERT and SELECT on `audit_record` and `outbox_event` (append-only), only SELECT on the migrations table, sequences for ids, and
 * the same defaults for tables the owner creates later.
 */
export async function grantApplicationRole(ownerDs: DataSource, role: string): Promise<void> {
  if (!ROLE_NAME.test(role)) throw new Error(`not a valid role name: ${role}`);
  const r = `"${role}"`;
  await ownerDs.transaction(async (m) => {
    // replicas starting together would otherwise race on the same catalog rows
    await m.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await m.query(`GRANT USAGE ON SCHEMA public TO ${r}`);
    await m.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${r}`);
    await m.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${r}`);
    await m.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${r}`);
    await m.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO ${r}`);
    const tables = (await m.query(
      `SELECT tablename FROM pg_tables
        WHERE schemaname = 'public' AND tablename IN ('${AUDIT_TABLE}', 'outbox_event', 'migrations')`,
    )) as { tablename: string }[];
    for (const { tablename } of tables) {
      await m.query(`REVOKE ALL ON TABLE "${tablename}" FROM ${r}`);
      await m.query(
        `GRANT ${tablename === 'migrations' ? 'SELECT' : 'SELECT, INSERT'} ON TABLE "${tablename}" TO ${r}`,
      );
    }
  });
}
