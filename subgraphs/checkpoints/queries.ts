import { requireScope, requireScopes } from '../kit/authz';
import { badInput } from '../kit/errors';
import { decodeCursor, pageSize, toConnection, type Connection, type PageArgs } from '../kit/pagination';
import { requirePurpose } from '../kit/purpose';
import { isUuid } from '../kit/refs';
import { Scope } from '../kit/roles';
import type { SubgraphContext } from '../kit/server';
import { suppressSmall } from '../kit/small-counts';
import { CALENDAR_TIME_ZONE } from '../kit/admin-units/dates';
import {
  CheckpointRow,
  PASSAGE_DECISIONS,
  PASSAGE_DIRECTIONS,
  PassageRow,
  type CheckpointKind,
  type CheckpointStatus,
  type PassageDecision,
  type PassageDirection,
} from './entities';
import { checkpointSql, checkpointWhere } from './access';
import { passageFromRaw, PASSAGE_COLUMNS } from './passage-rows';
import * as v from './validation';

const badCursor = () => badInput('after', 'is not a cursor returned by this field');

export interface CheckpointListArgs extends PageArgs {
  unitCode?: string | null;
  kind?: CheckpointKind | null;
  status?: CheckpointStatus | null;
}

/** The column a unit code filters on, by its length (province 2, district 3, ward 5 digits). */
function unitColumn(code: string): string {
  if (/^\d{2}$/.test(code)) return 'c.province_code';
  if (/^\d{3}$/.test(code)) return 'c.district_code';
  if (/^\d{5}$/.test(code)) return 'c.ward_code';
  throw badInput('unitCode', 'must be a province (2 digits), district (3) or ward (5) code');
}

/**
 * One page of checkpoints ordered by name, then id: keyset pagination served by ix_checkpoint_name,
 * or within a unit by ix_checkpoint_{province,district,ward}_status (with or without status). Only
 * checkpoints in the caller's jurisdiction, filtered in SQL so pages are full.
 */
export async function listCheckpoints(
  ctx: SubgraphContext,
  args: CheckpointListArgs,
): Promise<Connection<CheckpointRow>> {
  const size = pageSize(args.first);
  const key = decodeCursor(args.after, 2);
  const j = checkpointWhere(ctx.principal, 'c');
  const qb = ctx.db.getRepository(CheckpointRow).createQueryBuilder('c').where(j.sql, j.params);
  if (args.unitCode) qb.andWhere(`${unitColumn(args.unitCode)} = :unit`, { unit: args.unitCode });
  if (args.kind) qb.andWhere('c.kind = :kind', { kind: args.kind });
  if (args.status) qb.andWhere('c.status = :status', { status: args.status });
  if (key) {
    const [name, id] = key;
    if (typeof name !== 'string' || !isUuid(id)) throw badCursor();
    qb.andWhere('(c.name, c.id) > (:afterName, :afterId)', { afterName: name, afterId: id });
  }
  const rows = await qb
    .orderBy('c.name', 'ASC')
    .addOrderBy('c.id', 'ASC')
    .limit(size + 1)
    .getMany();
  return toConnection(rows, size, (r) => [r.name, r.id]);
}

export interface PassageListArgs extends PageArgs {
  checkpointId: string;
  from?: Date | null;
  to?: Date | null;
}

/**
 * Who passed a checkpoint in [from, to), oldest scan first (ix_passage_checkpoint_scanned). A bulk
 * read of location history: needs a declared purpose. A checkpoint outside the caller's
 * jurisdiction has no passages for them (as an unknown id).
 */
export async function listPassages(ctx: SubgraphContext, args: PassageListArgs): Promise<Connection<PassageRow>> {
  requireScope(ctx.principal, Scope.CHECKPOINTS_READ);
  requirePurpose(ctx.principal, 'passages');
  const checkpointId = v.uuid('checkpointId', args.checkpointId);
  const { from, to } = v.timeWindow(args.from, args.to, new Date());
  const size = pageSize(args.first);
  const key = decodeCursor(args.after, 2);
  const qb = ctx.db
    .getRepository(PassageRow)
    .createQueryBuilder('p')
    .innerJoin('p.checkpoint', 'c')
    .where('p.checkpoint_id = :checkpointId', { checkpointId })
    .andWhere('p.scanned_at >= :from AND p.scanned_at < :to', { from, to });
  const j = checkpointWhere(ctx.principal, 'c');
  qb.andWhere(j.sql, j.params);
  if (key) {
    const [at, id] = key;
    if (typeof at !== 'string' || Number.isNaN(Date.parse(at)) || !isUuid(id)) throw badCursor();
    qb.andWhere('(p.scanned_at, p.id) > (:afterAt, :afterId)', { afterAt: new Date(at), afterId: id });
  }
  const rows = await qb
    .orderBy('p.scanned_at', 'ASC')
    .addOrderBy('p.id', 'ASC')
    .limit(size + 1)
    .getMany();
  return toConnection(rows, size, (r) => [r.scannedAt.toISOString(), r.id]);
}

export type LoadBucket = 'HOUR' | 'DAY';

export interface CheckpointLoad {
  start: Date;
  day: string | null;
  direction: PassageDirection;
  decision: PassageDecision;
  count: number | null;
}

/**
 * Passages per bucket, direction and decision. A DAY is a calendar day in Viet Nam: the bucket is
 * computed in SQL with AT TIME ZONE, so it never depends on the session's time zone. Callers who
 * read statistics only (no checkpoints:read) get counts below ctx.smallCountThreshold suppressed
 * (kit/small-counts.ts); a checkpoint outside the caller's jurisdiction has no load for them.
 */
export async function checkpointLoad(
  ctx: SubgraphContext,
  args: { checkpointId: string; from?: Date | null; to?: Date | null; bucket: LoadBucket },
): Promise<CheckpointLoad[]> {
  requireScopes(ctx.principal, [[Scope.CHECKPOINTS_READ], [Scope.STATS_READ]]);
  const checkpointId = v.uuid('checkpointId', args.checkpointId);
  const { from, to } = v.timeWindow(args.from, args.to, new Date());
  const maxDays = args.bucket === 'HOUR' ? v.LIMITS.hourLoadDays : v.LIMITS.dayLoadDays;
  if (to.getTime() - from.getTime() > maxDays * v.DAY_MS) {
    throw badInput('from', `must be at most ${maxDays} days before to for ${args.bucket} buckets`);
  }
  // Hours are cut in UTC (whole-hour offsets make them local hours too), days in Viet Nam.
  const [unit, zone, day] =
    args.bucket === 'HOUR'
      ? ['hour', 'UTC', 'NULL::text']
      : ['day', CALENDAR_TIME_ZONE, `to_char(scanned_at AT TIME ZONE $4, 'YYYY-MM-DD')`];
  const j = checkpointSql(ctx.principal, 'c', 7);
  const rows = (await ctx.db.query(
    `SELECT date_trunc('${unit}', scanned_at AT TIME ZONE $4) AT TIME ZONE $4 AS start, ${day} AS day,
            direction, decision, count(*)::int AS count
     FROM passage
     WHERE checkpoint_id = $1 AND scanned_at >= $2 AND scanned_at < $3
       AND EXISTS (SELECT 1 FROM checkpoint c WHERE c.id = $1 AND ${j.sql})
     GROUP BY 1, 2, 3, 4
     ORDER BY 1, array_position($5::text[], direction), array_position($6::text[], decision)`,
    [checkpointId, from, to, zone, PASSAGE_DIRECTIONS, PASSAGE_DECISIONS, ...j.params],
  )) as CheckpointLoad[];
  return rows.map((r) => ({
    ...r,
    count: suppressSmall(r.count!, ctx.principal, Scope.CHECKPOINTS_READ, ctx.smallCountThreshold),
  }));
}

export interface CoPresentPassage {
  passage: PassageRow;
  nearId: string;
  secondsApart: number;
}

/**
 * Contact tracing: other people's passages at the checkpoint within the window around any of the
 * person's passages there, each paired with the person's nearest passage. Both legs use
 * ix_passage_citizen_scanned and ix_passage_checkpoint_scanned. Person-centric: needs a declared
 * purpose; a checkpoint outside the caller's jurisdiction has no contacts for them.
 */
export async function coPresence(
  ctx: SubgraphContext,
  args: { checkpointId: string; citizenRef: string; windowMinutes: number; first?: number | null },
): Promise<{ contacts: CoPresentPassage[]; truncated: boolean }> {
  requireScopes(ctx.principal, [[Scope.CHECKPOINTS_READ, Scope.SENSITIVE_READ]]);
  requirePurpose(ctx.principal, 'coPresence');
  const checkpointId = v.uuid('checkpointId', args.checkpointId);
  const ref = v.citizenRefText('citizenRef', args.citizenRef);
  const { min, max } = v.LIMITS.coPresenceMinutes;
  const windowMinutes = v.intInRange('windowMinutes', args.windowMinutes, min, max);
  const limits = v.LIMITS.coPresenceResults;
  const first = v.intInRange('first', args.first ?? limits.default, 1, limits.max);
  const j = checkpointSql(ctx.principal, 'c', 5);
  const rows = (await ctx.db.query(
    `WITH mine AS (
       SELECT id, scanned_at FROM passage WHERE citizen_ref = $2 AND checkpoint_id = $1
         AND EXISTS (SELECT 1 FROM checkpoint c WHERE c.id = $1 AND ${j.sql})
     ), near AS (
       SELECT DISTINCT ON (o.id) o.id AS other_id, m.id AS near_id,
              abs(extract(epoch FROM o.scanned_at - m.scanned_at)) AS gap
       FROM mine m
       JOIN passage o ON o.checkpoint_id = $1
         AND o.scanned_at BETWEEN m.scanned_at - make_interval(mins => $3) AND m.scanned_at + make_interval(mins => $3)
         AND o.citizen_ref <> $2
       ORDER BY o.id, gap, m.scanned_at, m.id
     )
     SELECT ${PASSAGE_COLUMNS.map((c) => `p.${c}`).join(', ')}, n.near_id, round(n.gap)::int AS seconds_apart
     FROM near n JOIN passage p ON p.id = n.other_id
     ORDER BY n.gap, p.scanned_at, p.id
     LIMIT $4`,
    [checkpointId, ref, windowMinutes, first + 1, ...j.params],
  )) as (Record<string, unknown> & { near_id: string; seconds_apart: number })[];
  return {
    contacts: rows
      .slice(0, first)
      .map((r) => ({ passage: passageFromRaw(r), nearId: r.near_id, secondsApart: r.seconds_apart })),
    truncated: rows.length > first,
  };
}
