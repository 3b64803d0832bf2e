import { GraphQLError } from 'graphql';
import {
  auditRequest,
  checkRequest,
  dataSubjectResolvers,
  requireCitizenRef,
  requireDataSubjectOfficer,
  type DataSubjectSpec,
} from '../kit/data-subject';
import { badInput, ErrorCode } from '../kit/errors';
import { mergeResolvers } from '../kit/resolvers';
import { Scope } from '../kit/roles';
import type { SubgraphContext, SubgraphResolvers } from '../kit/server';
import { email, optionalText, phone, requiredText } from '../kit/validation';
import type { Sex } from './entities';
import { checkDocument, country, LIMITS, yearOfBirth, type DocumentInput } from './validation';

/**
 * Declarations' part of the data subject's rights (kit/data-subject.ts): it holds the person's
 * identity document, identity snapshots, declarations (every version) and monitoring periods, owns
 * `Citizen` (so `Citizen.accessLog` / `Citizen.records` and the `dataSubject` entry point live
 * here) and serves corrections of the declared identity.
 */
export const declarationsDataSubject: DataSubjectSpec = {
  section: 'declarations',
  eraseMutation: 'eraseCitizenDeclarations',
  records: [
    { entityType: 'Citizen', sql: `SELECT c.ref AS id, to_jsonb(c) AS data FROM citizen c WHERE c.ref = $1` },
    {
      entityType: 'IdentitySnapshot',
      sql: `SELECT s.id::text AS id, to_jsonb(s) AS data FROM identity_snapshot s
             WHERE s.citizen_ref = $1 ORDER BY s.declared_at, s.id`,
    },
    {
      entityType: 'HealthDeclaration',
      sql: `SELECT d.id::text AS id, to_jsonb(d) AS data FROM health_declaration d
             WHERE d.citizen_ref = $1 ORDER BY d.submitted_at, d.id, d.version`,
    },
    {
      entityType: 'MonitoringPeriod',
      sql: `SELECT p.id::text AS id, to_jsonb(p) AS data FROM monitoring_period p
             WHERE p.citizen_ref = $1 ORDER BY p.starts_on, p.id`,
    },
  ],
  // children before the rows they reference
  erasure: [
    {
      entityType: 'MonitoringPeriod',
      action: 'DELETED',
      sql: `DELETE FROM monitoring_period WHERE citizen_ref = $1 RETURNING 1`,
    },
    {
      entityType: 'HealthDeclaration',
      action: 'DELETED',
      sql: `DELETE FROM health_declaration WHERE citizen_ref = $1 RETURNING 1`,
    },
    {
      entityType: 'IdentitySnapshot',
      action: 'DELETED',
      sql: `DELETE FROM identity_snapshot WHERE citizen_ref = $1 RETURNING 1`,
    },
    { entityType: 'Citizen', action: 'DELETED', sql: `DELETE FROM citizen WHERE ref = $1 RETURNING 1` },
  ],
};

export interface CorrectIdentityInput {
  ref: string;
  requestReference: string;
  fullName?: string | null;
  yearOfBirth?: number | null;
  sex?: Sex | null;
  nationality?: string | null;
  phone?: string | null;
  email?: string | null;
  addressDetail?: string | null;
}

/** The correctable fields: GraphQL input name → column, and its rule (null allowed unless required). */
const CORRECTABLE: Record<string, { column: string; check: (field: string, v: unknown, now: Date) => unknown }> = {
  fullName: { column: 'full_name', check: (f, v) => requiredText(f, v as string, LIMITS.fullName) },
  yearOfBirth: {
    column: 'year_of_birth',
    check: (f, v, now) => (v === null ? null : yearOfBirth(f, v as number, now)),
  },
  sex: { column: 'sex', check: (_f, v) => v },
  nationality: { column: 'nationality', check: (f, v) => (v === null ? null : country(f, v as string)) },
  phone: { column: 'phone', check: (f, v) => phone(f, v as string | null) },
  email: { column: 'email', check: (f, v) => email(f, v as string | null) },
  addressDetail: {
    column: 'address_detail',
    check: (f, v) => optionalText(f, v as string | null, LIMITS.addressDetail),
  },
};

export async function correctCitizenIdentity(ctx: SubgraphContext, raw: CorrectIdentityInput) {
  requireDataSubjectOfficer(ctx.principal, Scope.DSR_MANAGE, 'A correction');
  const input = checkRequest(raw);
  const now = new Date();
  const fields = Object.keys(CORRECTABLE).filter((k) => (raw as unknown as Record<string, unknown>)[k] !== undefined);
  if (!fields.length) throw badInput('input', 'name at least one field to correct');
  const sets: string[] = [];
  const values: unknown[] = [input.ref];
  for (const f of fields) {
    const value = CORRECTABLE[f].check(`input.${f}`, (raw as unknown as Record<string, unknown>)[f], now);
    if (f === 'fullName' && value === null) throw badInput('input.fullName', 'cannot be cleared');
    values.push(value);
    sets.push(`${CORRECTABLE[f].column} = $${values.length}`);
  }
  return ctx.db.transaction(async (m) => {
    const rows = (await m.query(
      `WITH touched AS (UPDATE identity_snapshot SET ${sets.join(', ')} WHERE citizen_ref = $1 RETURNING 1)
       SELECT count(*)::int AS n FROM touched`,
      values,
    )) as { n: number }[];
    const snapshots = rows[0]?.n ?? 0;
    if (!snapshots) {
      throw new GraphQLError('No identity of this person is on record', {
        extensions: { code: ErrorCode.NOT_FOUND, field: 'input.ref' },
      });
    }
    await auditRequest(m, ctx.principal, 'correct', input, fields);
    return { ...input, fields, snapshots };
  });
}

/** `Query.dataSubject`: the person by ref or by the document they show (exactly one). */
export function dataSubject(
  ctx: SubgraphContext,
  a: { ref?: string | null; document?: DocumentInput | null },
): { ref: string } {
  // either right: the access log (audit:read) or the other requests (dsr:manage)
  const scope = ctx.principal.scopes.includes(Scope.DSR_MANAGE) ? Scope.DSR_MANAGE : Scope.AUDIT_READ;
  requireDataSubjectOfficer(ctx.principal, scope, 'A data-subject request');
  const ref = a.ref ?? null;
  const document = a.document ?? null;
  if ((ref === null) === (document === null)) throw badInput('ref', 'give exactly one of ref and document');
  if (ref !== null) return { ref: requireCitizenRef('ref', ref) };
  return { ref: checkDocument('document.', document!, {}, ctx.pseudonymKey).ref };
}

export const declarationsDataSubjectResolvers: SubgraphResolvers = mergeResolvers(
  dataSubjectResolvers(declarationsDataSubject),
  {
    Query: {
      dataSubject: (_: unknown, a: { ref?: string | null; document?: DocumentInput | null }, ctx: SubgraphContext) =>
        dataSubject(ctx, a),
    },
    Mutation: {
      correctCitizenIdentity: (_: unknown, a: { input: CorrectIdentityInput }, ctx: SubgraphContext) =>
        correctCitizenIdentity(ctx, a.input),
    },
    Citizen: {
      accessLog: (c: { ref: string }) => ({ ref: c.ref }),
      records: (c: { ref: string }) => ({ ref: c.ref }),
    },
  } as SubgraphResolvers,
);
