import { JSONObjectResolver } from 'graphql-scalars';
import type { EntityManager } from 'typeorm';
import { requireScope } from './authz';
import { writeAuditRecords, AuditCollector } from './audit';
import { badInput, forbidden } from './errors';
import { isNational, type Principal } from './principal';
import { pageSize } from './pagination';
import { requirePurpose } from './purpose';
import { Scope } from './roles';
import type { SubgraphContext, SubgraphResolvers } from './server';

/**
 * The data subject's rights (DESIGN §5.6), served through the graph by the data-protection officer:
 * every subgraph that holds records about people contributes, for one `Citizen.ref`,
 *   - its section of `CitizenAccessLog` (who read the person's records here, when and why),
 *   - its section of `CitizenRecords` (a complete copy of what it holds about the person),
 *   - an erase mutation (its records deleted or anonymised, the request audited in the same
 *     transaction).
 * Each subgraph only names its tables (`DataSubjectSpec`); the behaviour lives here.
 * Requests are national (a data subject's rights do not stop at a province border) and need a
 * declared purpose: the officer's case reference, recorded in the audit.
 */

export type ErasureAction = 'DELETED' | 'ANONYMISED';

export interface ErasureStep {
  entityType: string;
  action: ErasureAction;
  /**
   * One statement with `$1` = the person's ref that deletes or updates their rows and returns one
   * row per record touched (`RETURNING 1`); steps run in order in one transaction.
   */
  sql: string;
}

export interface RecordSource {
  entityType: string;
  /** Selects `id` (text) and `data` (jsonb: the row as stored) of the person's records, `$1` = ref. */
  sql: string;
}

export interface DataSubjectSpec {
  /** The field this subgraph contributes to `CitizenAccessLog` and `CitizenRecords` (e.g. `movement`). */
  section: string;
  /** This subgraph's erase mutation (e.g. `eraseCitizenMovements`). */
  eraseMutation: string;
  records: readonly RecordSource[];
  erasure: readonly ErasureStep[];
}

export interface AccessLogEntry {
  at: Date;
  actor: string;
  organisation: string | null;
  client: string | null;
  purpose: string | null;
  entityType: string;
  entityId: string;
  fields: string[];
  requestId: string;
}

export interface PersonalRecord {
  entityType: string;
  id: string;
  data: Record<string, unknown>;
}

export interface ErasureReport {
  ref: string;
  requestReference: string;
  records: { entityType: string; action: ErasureAction; count: number }[];
}

export interface DataSubjectRequestInput {
  ref: string;
  requestReference: string;
}

/** `<key version>.<base64url HMAC-SHA256>` (see kit/pseudonym.ts). */
const REF = /^[a-z0-9]{1,8}\.[A-Za-z0-9_-]{43}$/;
const REQUEST_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{2,63}$/;

export function requireCitizenRef(field: string, value: string): string {
  if (!REF.test(value)) throw badInput(field, 'must be a citizen pseudonym (Citizen.ref)');
  return value;
}

export function requireRequestReference(field: string, value: string): string {
  if (!REQUEST_REFERENCE.test(value)) {
    throw badInput(field, '3-64 letters, digits or . _ : / - (the data-subject request case number)');
  }
  return value;
}

/** A national principal with `scope` and a declared purpose; FORBIDDEN otherwise. */
export function requireDataSubjectOfficer(principal: Principal, scope: Scope, what: string): void {
  requireScope(principal, scope);
  if (!isNational(principal)) throw forbidden(`${what} is served nationally: needs a national grant`);
  requirePurpose(principal, what);
}

export async function accessLogOf(ctx: SubgraphContext, ref: string, first?: number | null): Promise<AccessLogEntry[]> {
  requireDataSubjectOfficer(ctx.principal, Scope.AUDIT_READ, "A citizen's access log");
  const rows = (await ctx.db.query(
    `SELECT at, actor, organisation, client, purpose, entity_type, entity_id, fields, request_id
       FROM audit_record WHERE subject_refs @> ARRAY[$1]::text[]
      ORDER BY at DESC, id DESC LIMIT $2`,
    [ref, pageSize(first ?? 100)],
  )) as Record<string, unknown>[];
  return rows.map((r) => ({
    at: r.at as Date,
    actor: r.actor as string,
    organisation: r.organisation as string | null,
    client: r.client as string | null,
    purpose: r.purpose as string | null,
    entityType: r.entity_type as string,
    entityId: r.entity_id as string,
    fields: r.fields as string[],
    requestId: r.request_id as string,
  }));
}

export async function recordsOf(
  ctx: SubgraphContext,
  ref: string,
  sources: readonly RecordSource[],
): Promise<PersonalRecord[]> {
  requireDataSubjectOfficer(ctx.principal, Scope.DSR_MANAGE, "A citizen's records");
  const out: PersonalRecord[] = [];
  for (const s of sources) {
    const rows = (await ctx.db.query(s.sql, [ref])) as { id: string; data: Record<string, unknown> }[];
    for (const r of rows) out.push({ entityType: s.entityType, id: String(r.id), data: r.data });
  }
  return out;
}

/** Audits a data-subject request with the given transaction (it commits or rolls back with it). */
export async function auditRequest(
  m: EntityManager,
  principal: Principal,
  kind: string,
  input: DataSubjectRequestInput,
  fields: readonly string[],
): Promise<void> {
  const c = new AuditCollector();
  for (const f of fields) c.record('DataSubjectRequest', input.requestReference, `${kind}:${f}`, [input.ref]);
  await writeAuditRecords(m, principal, c);
}

export function checkRequest(input: DataSubjectRequestInput): DataSubjectRequestInput {
  return {
    ref: requireCitizenRef('input.ref', input.ref),
    requestReference: requireRequestReference('input.requestReference', input.requestReference),
  };
}

export async function erase(
  ctx: SubgraphContext,
  raw: DataSubjectRequestInput,
  steps: readonly ErasureStep[],
): Promise<ErasureReport> {
  requireDataSubjectOfficer(ctx.principal, Scope.DSR_MANAGE, 'Erasure');
  const input = checkRequest(raw);
  return ctx.db.transaction(async (m) => {
    const records: ErasureReport['records'] = [];
    for (const step of steps) {
      const rows = (await m.query(`WITH touched AS (${step.sql}) SELECT count(*)::int AS n FROM touched`, [
        input.ref,
      ])) as { n: number }[];
      records.push({ entityType: step.entityType, action: step.action, count: rows[0]?.n ?? 0 });
    }
    await auditRequest(
      m,
      ctx.principal,
      'erase',
      input,
      records.map((r) => r.entityType),
    );
    return { ...input, records };
  });
}

/**
 * The resolvers of a subgraph's contribution: `CitizenAccessLog.<section>`, `CitizenRecords.<section>`
 * (both entities keyed by the person's ref) and `Mutation.<eraseMutation>`.
 */
export function dataSubjectResolvers(spec: DataSubjectSpec): SubgraphResolvers {
  const byRef = (r: { ref: string }) => ({ ref: r.ref });
  return {
    JSONObject: JSONObjectResolver,
    CitizenAccessLog: {
      __resolveReference: byRef,
      [spec.section]: (p: { ref: string }, a: { first?: number | null }, ctx: SubgraphContext) =>
        accessLogOf(ctx, p.ref, a.first),
    },
    CitizenRecords: {
      __resolveReference: byRef,
      [spec.section]: (p: { ref: string }, _: unknown, ctx: SubgraphContext) => recordsOf(ctx, p.ref, spec.records),
    },
    Mutation: {
      [spec.eraseMutation]: (_: unknown, a: { input: DataSubjectRequestInput }, ctx: SubgraphContext) =>
        erase(ctx, a.input, spec.erasure),
    },
  };
}
