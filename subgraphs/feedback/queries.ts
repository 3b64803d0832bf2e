import type { SelectQueryBuilder } from 'typeorm';
import { badInput } from '../kit/errors';
import { decodeCursor, pageSize, toConnection, type Connection, type PageArgs } from '../kit/pagination';
import { isUuid, requireProvinceCode } from '../kit/refs';
import { Scope } from '../kit/roles';
import type { SubgraphContext } from '../kit/server';
import { suppressSmall } from '../kit/small-counts';
import { CALENDAR_TIME_ZONE } from '../kit/admin-units/dates';
import {
  FEEDBACK_CATEGORIES,
  FEEDBACK_STATUSES,
  FeedbackRow,
  type FeedbackCategory,
  type FeedbackStatus,
} from './entities';
import { feedbackWhere } from './access';
import { organisationCode, period, unitCodeFormat } from './validation';
import { OPEN_STATUSES_SQL } from './workflow';

export interface FeedbackFilter {
  status?: FeedbackStatus | null;
  category?: FeedbackCategory | null;
  unitCode?: string | null;
  from?: Date | null;
  to?: Date | null;
  assigneeCode?: string | null;
}

export interface FeedbackListArgs extends PageArgs {
  filter?: FeedbackFilter | null;
  /** Deprecated top-level filters of the first release, kept for existing callers. */
  status?: FeedbackStatus | null;
  provinceCode?: string | null;
}

/** The column a unit code filters on, by its length (province 2 digits, district 3, ward 5). */
const UNIT_COLUMN: Readonly<Record<number, string>> = { 2: 'province_code', 3: 'district_code', 5: 'ward_code' };

/** Only the feedback the caller may access (access.ts), filtered in SQL so pages are full. */
function whereAccess(qb: SelectQueryBuilder<FeedbackRow>, ctx: SubgraphContext): void {
  const j = feedbackWhere(ctx.principal, 'f');
  qb.andWhere(j.sql, j.params);
}

function whereUnit(qb: SelectQueryBuilder<FeedbackRow>, field: string, code: string | null | undefined): void {
  if (code === null || code === undefined) return;
  unitCodeFormat(field, code);
  qb.andWhere(`f.${UNIT_COLUMN[code.length]} = :unitCode`, { unitCode: code });
}

function wherePeriod(qb: SelectQueryBuilder<FeedbackRow>, prefix: string, from?: Date | null, to?: Date | null): void {
  const p = period(prefix, from, to);
  if (p.from) qb.andWhere('f.reported_at >= :from', { from: p.from });
  if (p.to) qb.andWhere('f.reported_at < :to', { to: p.to });
}

/** Merges the deprecated arguments into the filter; giving both forms of one filter is refused. */
function effectiveFilter(args: FeedbackListArgs): FeedbackFilter {
  const filter = { ...(args.filter ?? {}) };
  if (args.status) {
    if (filter.status) throw badInput('status', 'give filter.status only');
    filter.status = args.status;
  }
  if (args.provinceCode) {
    if (filter.unitCode) throw badInput('provinceCode', 'give filter.unitCode only');
    filter.unitCode = requireProvinceCode('provinceCode', args.provinceCode);
  }
  return filter;
}

/** A keyset cursor of (instant, id), as this module encodes it. */
function afterKey(cursor: string | null | undefined): { at: Date; id: string } | null {
  const key = decodeCursor(cursor, 2);
  if (!key) return null;
  const [at, id] = key;
  const instant = typeof at === 'string' ? new Date(at) : null;
  if (!instant || Number.isNaN(instant.getTime()) || !isUuid(id)) {
    throw badInput('after', 'is not a cursor returned by this field');
  }
  return { at: instant, id };
}

/**
 * One page of feedback, newest first, keyset-paginated on (reported_at, id) descending. Every filter
 * has an index in that order (status, category, each unit level, assignee).
 */
export async function listFeedback(ctx: SubgraphContext, args: FeedbackListArgs): Promise<Connection<FeedbackRow>> {
  const size = pageSize(args.first);
  const after = afterKey(args.after);
  const filter = effectiveFilter(args);
  const qb = ctx.db.getRepository(FeedbackRow).createQueryBuilder('f');
  whereAccess(qb, ctx);
  if (filter.status) qb.andWhere('f.status = :status', { status: filter.status });
  if (filter.category) qb.andWhere('f.category = :category', { category: filter.category });
  whereUnit(qb, 'filter.unitCode', filter.unitCode);
  if (filter.assigneeCode) {
    qb.andWhere('f.assignee_code = :assignee', {
      assignee: organisationCode('filter.assigneeCode', filter.assigneeCode),
    });
  }
  wherePeriod(qb, 'filter.', filter.from, filter.to);
  if (after) qb.andWhere('(f.reported_at, f.id) < (:afterAt, :afterId)', { afterAt: after.at, afterId: after.id });
  const rows = await qb
    .orderBy('f.reportedAt', 'DESC')
    .addOrderBy('f.id', 'DESC')
    .limit(size + 1)
    .getMany();
  return toConnection(rows, size, (r) => [r.reportedAt.toISOString(), r.id]);
}

export interface OverdueArgs extends PageArgs {
  assigneeCode?: string | null;
}

/** Open feedback past its deadline, the oldest deadline first (keyset on (due_at, id) ascending). */
export async function listOverdue(
  ctx: SubgraphContext,
  args: OverdueArgs,
  now: Date,
): Promise<Connection<FeedbackRow>> {
  const size = pageSize(args.first);
  const after = afterKey(args.after);
  const qb = ctx.db
    .getRepository(FeedbackRow)
    .createQueryBuilder('f')
    .where(`f.status IN ${OPEN_STATUSES_SQL}`)
    .andWhere('f.due_at < :now', { now });
  whereAccess(qb, ctx);
  if (args.assigneeCode) {
    qb.andWhere('f.assignee_code = :assignee', { assignee: organisationCode('assigneeCode', args.assigneeCode) });
  }
  if (after) qb.andWhere('(f.due_at, f.id) > (:afterAt, :afterId)', { afterAt: after.at, afterId: after.id });
  const rows = await qb
    .orderBy('f.dueAt', 'ASC')
    .addOrderBy('f.id', 'ASC')
    .limit(size + 1)
    .getMany();
  return toConnection(rows, size, (r) => [r.dueAt.toISOString(), r.id]);
}

export const STATS_GROUPINGS = ['CATEGORY', 'STATUS', 'DAY'] as const;
export type StatsGrouping = (typeof STATS_GROUPINGS)[number];

export interface StatsArgs {
  unitCode?: string | null;
  from?: Date | null;
  to?: Date | null;
  groupBy: StatsGrouping;
}

export interface FeedbackStats {
  groupBy: StatsGrouping;
  total: number | null;
  buckets: { key: string; count: number | null }[];
}

/** A DAY is a calendar day in Viet Nam: the conversion happens in SQL, on the stored UTC instant. */
const GROUP_KEY: Readonly<Record<StatsGrouping, string>> = {
  CATEGORY: 'f.category',
  STATUS: 'f.status',
  DAY: `to_char(f.reported_at AT TIME ZONE '${CALENDAR_TIME_ZONE}', 'YYYY-MM-DD')`,
};

/** Enum order for categories and statuses, day order for days. */
const ORDER: Readonly<Record<StatsGrouping, readonly string[] | null>> = {
  CATEGORY: FEEDBACK_CATEGORIES,
  STATUS: FEEDBACK_STATUSES,
  DAY: null,
};

/**
 * Counts of feedback reported in [from, to) in a unit, grouped; only non-empty buckets, and only the
 * feedback the caller may access. Callers reading statistics only (no feedback:read) get counts,
 * the total included, below ctx.smallCountThreshold suppressed (null).
 */
export async function feedbackStats(ctx: SubgraphContext, args: StatsArgs): Promise<FeedbackStats> {
  const qb = ctx.db.getRepository(FeedbackRow).createQueryBuilder('f');
  whereAccess(qb, ctx);
  whereUnit(qb, 'unitCode', args.unitCode);
  wherePeriod(qb, '', args.from, args.to);
  const rows = await qb
    .select(GROUP_KEY[args.groupBy], 'key')
    .addSelect('count(*)::int', 'count')
    .groupBy('1')
    .getRawMany<{ key: string; count: number }>();
  const order = ORDER[args.groupBy];
  const rank = (key: string) => (order ? order.indexOf(key) : 0);
  const buckets = rows
    .map((r) => ({ key: r.key, count: Number(r.count) }))
    .sort((a, b) => rank(a.key) - rank(b.key) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const small = (n: number) => suppressSmall(n, ctx.principal, Scope.FEEDBACK_READ, ctx.smallCountThreshold);
  return {
    groupBy: args.groupBy,
    total: small(buckets.reduce((n, b) => n + b.count, 0)),
    buckets: buckets.map((b) => ({ key: b.key, count: small(b.count) })),
  };
}
