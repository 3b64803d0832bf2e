import { badInput } from '../kit/errors';
import { decodeCursor, pageSize, toConnection, type Connection, type PageArgs } from '../kit/pagination';
import { isUuid } from '../kit/refs';
import { toDateText } from '../kit/scalars';
import type { SubgraphContext } from '../kit/server';
import { CALENDAR_TIME_ZONE } from '../kit/admin-units/dates';
import { conveyanceSearchKey } from './conveyance';
import { movementJurisdictionSql, visible } from './jurisdiction';
import { selectMovements, type Movement } from './store';

/*
 * List queries. Each is one SQL statement shaped for an index: unit (at the level of the code
 * given) + departure time, or conveyance + departure time. Arguments are validated here; scopes
 * are checked by the resolvers.
 */

/** Without `from`, lists start this many days ago (the epidemiological window). */
export const DEFAULT_WINDOW_DAYS = 14;

export type Direction = 'inbound' | 'outbound';

export interface UnitMovementsArgs extends PageArgs {
  unitCode: string;
  from?: Date | null;
  to?: Date | null;
}

const LEVEL_COLUMN: Readonly<Record<number, string>> = { 2: 'province_code', 3: 'district_code', 5: 'ward_code' };

/** The column a unit code is compared with: a province, district or ward code by its length. */
function unitColumn(direction: Direction, field: string, code: string): string {
  const column = /^\d+$/.test(code) ? LEVEL_COLUMN[code.length] : undefined;
  if (!column) throw badInput(field, 'must be a 2-digit province, 3-digit district or 5-digit ward code');
  return `m.${direction === 'inbound' ? 'destination' : 'origin'}_${column}`;
}

/** A keyset cursor of (departAt, id), as returned by these lists. */
function cursorKey(after: string | null | undefined): [Date, string] | null {
  const key = decodeCursor(after, 2);
  if (!key) return null;
  const [at, id] = key;
  const departAt = typeof at === 'string' ? new Date(at) : new Date(Number.NaN);
  if (Number.isNaN(departAt.getTime()) || !isUuid(id))
    throw badInput('after', 'is not a cursor returned by this field');
  return [departAt, id];
}

/**
 * Declarations arriving in (inbound) or leaving (outbound) a unit, departing in [from, to), oldest
 * departure first; every status is listed (the caller sees each one's status).
 */
export async function unitMovements(
  ctx: SubgraphContext,
  direction: Direction,
  args: UnitMovementsArgs,
): Promise<Connection<Movement>> {
  const field = direction === 'inbound' ? 'destinationUnitCode' : 'originUnitCode';
  const column = unitColumn(direction, field, args.unitCode);
  const size = pageSize(args.first);
  const after = cursorKey(args.after);
  const from = args.from ?? new Date(Date.now() - DEFAULT_WINDOW_DAYS * 86_400_000);
  if (args.to && args.to.getTime() <= from.getTime()) throw badInput('to', 'must be after from');

  const params: unknown[] = [args.unitCode, from];
  const where = [`${column} = $1`, 'm.depart_at >= $2'];
  if (args.to) {
    params.push(args.to);
    where.push(`m.depart_at < $${params.length}`);
  }
  if (after) {
    params.push(after[0], after[1]);
    where.push(`(m.depart_at, m.id) > ($${params.length - 1}, $${params.length}::uuid)`);
  }
  // Filtered in SQL, so a page is full of journeys the caller may see.
  const j = movementJurisdictionSql(ctx.principal, params.length + 1);
  params.push(...j.params);
  where.push(j.sql);
  params.push(size + 1);
  const rows = await selectMovements(
    ctx.db,
    where.join(' AND '),
    params,
    `ORDER BY m.depart_at, m.id LIMIT $${params.length}`,
  );
  return toConnection(rows, size, (m) => [m.departAt.toISOString(), m.id]);
}

/**
 * Declarations on one conveyance departing on a calendar day in Viet Nam: from local midnight to
 * the next (`AT TIME ZONE`, so the conveyance + departure index serves the range).
 */
export async function passengersOnConveyance(
  ctx: SubgraphContext,
  conveyanceIdInput: string,
  date: Date,
): Promise<Movement[]> {
  const conveyanceId = conveyanceSearchKey('conveyanceId', conveyanceIdInput);
  const zone = `'${CALENDAR_TIME_ZONE}'`;
  const rows = await selectMovements(
    ctx.db,
    `m.conveyance_id = $1
       AND m.depart_at >= ($2::date)::timestamp AT TIME ZONE ${zone}
       AND m.depart_at < ($2::date + 1)::timestamp AT TIME ZONE ${zone}`,
    [conveyanceId, toDateText(date)],
    'ORDER BY m.depart_at, m.seat NULLS LAST, m.id',
  );
  return visible(ctx.principal, rows);
}
