import { CALENDAR_TIME_ZONE } from '../kit/admin-units/dates';
import { badInput } from '../kit/errors';
import { decodeCursor, pageSize, toConnection, type Connection, type PageArgs } from '../kit/pagination';
import { upgradeRef } from '../kit/pseudonym';
import { isUuid } from '../kit/refs';
import { toDateText } from '../kit/scalars';
import type { SubgraphContext } from '../kit/server';
import { HealthDeclarationRow, MonitoringPeriodRow, type DeclarationKind } from './entities';
import { jurisdictionSql } from '../kit/jurisdiction';
import { requirePurpose } from '../kit/purpose';
import { suppressSmall } from '../kit/small-counts';
import { Scope } from '../kit/roles';
import { namedJurisdictionSql, requireUnitInJurisdiction } from './jurisdiction';
import { citizenLoader } from './loaders';
import { checkDocument, relabelField, type DocumentInput } from './validation';

/*
 * Read queries beyond single-entity loads. Scopes are checked by the resolvers; these validate
 * arguments and build one SQL statement each. Days are Vietnamese calendar days: the SQL converts
 * with AT TIME ZONE, never the application clock.
 */

const TZ = `'${CALENDAR_TIME_ZONE}'`;

/** The column holding a unit code of the given length: province 2 digits, district 3, ward 5. */
function unitColumn(field: string, code: string, alias: string): string {
  if (/^\d{2}$/.test(code)) return `${alias}.province_code`;
  if (/^\d{3}$/.test(code)) return `${alias}.district_code`;
  if (/^\d{5}$/.test(code)) return `${alias}.ward_code`;
  throw badInput(field, 'must be a province (2 digits), district (3) or ward (5) code');
}

/**
 * `citizen(ref:)`: a ref of an earlier key version (held by a client since before a re-keying) is
 * brought to the current version first; a malformed ref or one of an unknown version is a
 * BAD_USER_INPUT naming `ref`.
 */
export async function citizenByRef(ctx: SubgraphContext, ref: string) {
  requirePurpose(ctx.principal, "A citizen's record");
  return citizenLoader(ctx).load(upgradeRef(ref, ctx.pseudonymKey, 'ref'));
}

export async function citizenByDocument(ctx: SubgraphContext, doc: DocumentInput) {
  requirePurpose(ctx.principal, 'A search by identity document');
  // The arguments are `type`, `number` and `country`, not a `document` input.
  const { ref } = relabelField(
    (f) => f.replace(/^document\./, ''),
    () => checkDocument('', doc, {}, ctx.pseudonymKey),
  );
  return citizenLoader(ctx).load(ref);
}

export interface DeclarationFilter {
  unitCode: string;
  from?: Date | null;
  to?: Date | null;
  kind?: DeclarationKind | null;
  symptomatic?: boolean | null;
}

/** Current versions of a unit's declarations, newest first, keyset-paginated on (submittedAt, id). */
export async function declarations(
  ctx: SubgraphContext,
  filter: DeclarationFilter,
  page: PageArgs,
): Promise<Connection<HealthDeclarationRow>> {
  const size = pageSize(page.first);
  const after = decodeCursor(page.after, 2);
  const column = unitColumn('filter.unitCode', filter.unitCode, 'd');
  if (filter.from && filter.to && filter.to.getTime() <= filter.from.getTime()) {
    throw badInput('filter.to', 'must be after filter.from');
  }
  const qb = ctx.db
    .getRepository(HealthDeclarationRow)
    .createQueryBuilder('d')
    .where(`${column} = :unit`, { unit: filter.unitCode })
    .andWhere('d.superseded_at IS NULL');
  // Filtered in SQL, so a page is full of what the caller may see.
  const j = namedJurisdictionSql(ctx.principal, 'd');
  qb.andWhere(j.sql, j.params);
  if (filter.from) qb.andWhere('d.submitted_at >= :from', { from: filter.from });
  if (filter.to) qb.andWhere('d.submitted_at < :to', { to: filter.to });
  if (filter.kind) qb.andWhere('d.kind = :kind', { kind: filter.kind });
  if (filter.symptomatic !== null && filter.symptomatic !== undefined) {
    qb.andWhere('d.symptomatic = :symptomatic', { symptomatic: filter.symptomatic });
  }
  if (after) {
    const [at, id] = after;
    if (typeof at !== 'string' || Number.isNaN(Date.parse(at)) || !isUuid(id)) {
      throw badInput('after', 'is not a cursor returned by this field');
    }
    qb.andWhere('(d.submitted_at, d.id) < (:at, :id)', { at: new Date(at), id });
  }
  const rows = await qb
    .orderBy('d.submittedAt', 'DESC')
    .addOrderBy('d.id', 'DESC')
    .limit(size + 1)
    .getMany();
  return toConnection(rows, size, (d) => [d.submittedAt.toISOString(), d.id]);
}

export type DeclarationGrouping = 'DAY' | 'KIND' | 'UNIT';

export interface DeclarationCount {
  day: string | null;
  kind: DeclarationKind | null;
  unitCode: string | null;
  declarations: number | null;
  symptomatic: number | null;
}

const MAX_STATS_DAYS = 366;

/** The SQL expression a grouping groups by; for UNIT, the unit directly below `unitCode`. */
function groupExpression(groupBy: DeclarationGrouping, unitCode: string): string {
  switch (groupBy) {
    case 'DAY':
      return `((d.submitted_at AT TIME ZONE ${TZ})::date)::text`;
    case 'KIND':
      return 'd.kind';
    case 'UNIT':
      // After the July 2025 reform a province's wards sit directly below it (no districts).
      if (unitCode.length === 2) return 'COALESCE(d.district_code, d.ward_code)';
      return 'd.ward_code';
  }
}

/**
 * Counts of current declarations per group, for submissions on Vietnamese days `from`..`to`
 * (inclusive). The range becomes instants in SQL, so the unit + time indexes serve it.
 */
export async function declarationStats(
  ctx: SubgraphContext,
  args: { unitCode: string; from: Date; to: Date; groupBy: DeclarationGrouping },
): Promise<DeclarationCount[]> {
  const column = unitColumn('unitCode', args.unitCode, 'd');
  const from = toDateText(args.from);
  const to = toDateText(args.to);
  if (to < from) throw badInput('to', 'must not be before from');
  if ((args.to.getTime() - args.from.getTime()) / 86_400_000 + 1 > MAX_STATS_DAYS) {
    throw badInput('to', `must be at most ${MAX_STATS_DAYS} days after from (both inclusive)`);
  }
  await requireUnitInJurisdiction(ctx.principal, ctx.db, 'unitCode', args.unitCode);
  const j = jurisdictionSql(
    ctx.principal,
    { province: 'd.province_code', district: 'd.district_code', ward: 'd.ward_code' },
    4,
  );
  const group = groupExpression(args.groupBy, args.unitCode);
  const rows: { key: string | null; declarations: number; symptomatic: number }[] = await ctx.db.query(
    `SELECT ${group} AS key, count(*)::int AS declarations, (count(*) FILTER (WHERE d.symptomatic))::int AS symptomatic
     FROM health_declaration d
     WHERE ${column} = $1 AND d.superseded_at IS NULL AND ${j.sql}
       AND d.submitted_at >= ($2::date::timestamp AT TIME ZONE ${TZ})
       AND d.submitted_at < (($3::date + 1)::timestamp AT TIME ZONE ${TZ})
     GROUP BY 1
     ORDER BY 1 NULLS LAST`,
    [args.unitCode, from, to, ...j.params],
  );
  // Callers who may read only aggregates get small counts suppressed (null).
  const count = (n: number) => suppressSmall(n, ctx.principal, Scope.DECLARATIONS_READ, ctx.smallCountThreshold);
  return rows.map((r) => ({
    day: args.groupBy === 'DAY' ? r.key : null,
    kind: args.groupBy === 'KIND' ? (r.key as DeclarationKind) : null,
    unitCode: args.groupBy === 'UNIT' ? r.key : null,
    declarations: count(r.declarations),
    symptomatic: count(r.symptomatic),
  }));
}

export interface MissedDailyMonitoring {
  citizenRef: string;
  period: MonitoringPeriodRow;
  lastDailyDeclarationAt: Date | null;
}

interface MissedRow {
  id: string;
  citizen_ref: string;
  province_code: string;
  district_code: string | null;
  ward_code: string | null;
  starts_on: string;
  ends_on: string;
  reason: string;
  source_declaration_id: string | null;
  created_by: string;
  created_at: Date;
  last_daily_at: Date | null;
}

/**
 * People of a unit whose monitoring period covers `date` and who have no current DAILY_MONITORING
 * declaration submitted that Vietnamese day; one statement, keyset-paginated on the pseudonym.
 */
export async function missedDailyMonitoring(
  ctx: SubgraphContext,
  args: PageArgs & { unitCode: string; date: Date },
): Promise<Connection<MissedDailyMonitoring>> {
  const size = pageSize(args.first);
  const after = decodeCursor(args.after, 1);
  const column = unitColumn('unitCode', args.unitCode, 'p');
  await requireUnitInJurisdiction(ctx.principal, ctx.db, 'unitCode', args.unitCode);
  const j = jurisdictionSql(
    ctx.principal,
    { province: 'p.province_code', district: 'p.district_code', ward: 'p.ward_code' },
    5,
  );
  const rows: MissedRow[] = await ctx.db.query(
    `WITH day AS (
       SELECT ($2::date::timestamp AT TIME ZONE ${TZ}) AS starts, (($2::date + 1)::timestamp AT TIME ZONE ${TZ}) AS ends
     )
     SELECT DISTINCT ON (p.citizen_ref) p.id, p.citizen_ref, p.province_code, p.district_code, p.ward_code,
       p.starts_on::text AS starts_on, p.ends_on::text AS ends_on, p.reason, p.source_declaration_id,
       p.created_by, p.created_at,
       (SELECT max(d.submitted_at) FROM health_declaration d
         WHERE d.citizen_ref = p.citizen_ref AND d.kind = 'DAILY_MONITORING' AND d.superseded_at IS NULL
           AND d.submitted_at < day.starts) AS last_daily_at
     FROM monitoring_period p CROSS JOIN day
     WHERE ${column} = $1 AND ${j.sql} AND p.starts_on <= $2::date AND p.ends_on >= $2::date
       AND ($3::text IS NULL OR p.citizen_ref > $3::text)
       AND NOT EXISTS (
         SELECT 1 FROM health_declaration d
         WHERE d.citizen_ref = p.citizen_ref AND d.kind = 'DAILY_MONITORING' AND d.superseded_at IS NULL
           AND d.submitted_at >= day.starts AND d.submitted_at < day.ends)
     ORDER BY p.citizen_ref, p.starts_on DESC, p.id
     LIMIT $4`,
    [args.unitCode, toDateText(args.date), after ? String(after[0]) : null, size + 1, ...j.params],
  );
  const items = rows.map((r) => ({
    citizenRef: r.citizen_ref,
    lastDailyDeclarationAt: r.last_daily_at,
    period: Object.assign(new MonitoringPeriodRow(), {
      id: r.id,
      citizenRef: r.citizen_ref,
      provinceCode: r.province_code,
      districtCode: r.district_code,
      wardCode: r.ward_code,
      startsOn: r.starts_on,
      endsOn: r.ends_on,
      reason: r.reason,
      sourceDeclarationId: r.source_declaration_id,
      createdBy: r.created_by,
      createdAt: r.created_at,
    }),
  }));
  return toConnection(items, size, (m) => [m.citizenRef]);
}
