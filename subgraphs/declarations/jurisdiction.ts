import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { findUnits, type Queryable } from '../kit/admin-units/query';
import { ErrorCode } from '../kit/errors';
import { covers, isNationalPrincipal, jurisdictionSql, type RecordUnits } from '../kit/jurisdiction';
import type { Principal } from '../kit/principal';

/*
 * Record-level jurisdiction for this subgraph (DESIGN §5.5). A declaration or monitoring period is
 * in jurisdiction when its unit (province/district/ward) is covered; a citizen when at least one of
 * their current declarations is. Checks run per record, after loading; a record outside the
 * caller's jurisdiction answers exactly like a missing one.
 */

type Who = Pick<Principal, 'jurisdictions'>;

export interface UnitColumns {
  provinceCode: string | null;
  districtCode: string | null;
  wardCode: string | null;
}

export const inJurisdiction = (principal: Who, row: UnitColumns): boolean =>
  covers(principal, { provinceCode: row.provinceCode, districtCode: row.districtCode, wardCode: row.wardCode });

/** Keeps the rows in the caller's jurisdiction (each checked on its own). */
export function visible<T extends UnitColumns>(principal: Who, rows: readonly T[]): T[] {
  return rows.filter((r) => inJurisdiction(principal, r));
}

/** The jurisdiction condition over alias `alias`, with TypeORM named parameters (`:jur0`, …). */
export function namedJurisdictionSql(principal: Who, alias: string): { sql: string; params: Record<string, unknown> } {
  const j = jurisdictionSql(
    principal,
    { province: `${alias}.province_code`, district: `${alias}.district_code`, ward: `${alias}.ward_code` },
    1,
  );
  const params: Record<string, unknown> = {};
  j.params.forEach((p, i) => (params[`jur${i}`] = p));
  return { sql: j.sql.replace(/\$(\d+)/g, (_, n: string) => `:jur${Number(n) - 1}`), params };
}

/** FORBIDDEN naming the input field whose unit is outside the caller's jurisdiction. */
export function outsideJurisdiction(field: string): GraphQLError {
  return new GraphQLError(`${field}: outside your jurisdiction`, {
    extensions: { code: ErrorCode.FORBIDDEN, field },
  });
}

const LEVEL: Readonly<Record<number, keyof RecordUnits>> = { 2: 'provinceCode', 3: 'districtCode', 5: 'wardCode' };

/**
 * The unit and the units above it, as a record's unit columns: from the official unit list, else
 * from the records placed in the unit (codes never move between units), else the code alone.
 */
export async function unitAncestry(q: Queryable, code: string): Promise<RecordUnits> {
  const record: RecordUnits = { provinceCode: null, districtCode: null, wardCode: null };
  const level = LEVEL[code.length];
  if (!level) return record;
  record[level] = code;
  let parent: string | null = code;
  for (let depth = 0; parent && parent.length > 2 && depth < 2; depth++) {
    const [unit] = await findUnits(q, [parent], null);
    parent = unit?.parentCode ?? null;
    const parentLevel = parent ? LEVEL[parent.length] : undefined;
    if (parentLevel) record[parentLevel] = parent;
  }
  if (record.provinceCode) return record;
  const column = level === 'districtCode' ? 'district_code' : 'ward_code';
  const rows: { province_code: string | null; district_code: string | null }[] = await q.query(
    `(SELECT province_code, district_code FROM health_declaration WHERE ${column} = $1 LIMIT 1)
     UNION ALL (SELECT province_code, district_code FROM monitoring_period WHERE ${column} = $1 LIMIT 1)
     LIMIT 1`,
    [code],
  );
  const [row] = rows;
  if (row) {
    record.provinceCode = row.province_code;
    if (level === 'wardCode') record.districtCode = row.district_code;
  }
  return record;
}

/** FORBIDDEN (field `field`) unless the caller's jurisdiction covers the unit `code` and what lies in it. */
export async function requireUnitInJurisdiction(principal: Who, q: Queryable, field: string, code: string) {
  if (isNationalPrincipal(principal)) return;
  if (!covers(principal, await unitAncestry(q, code))) throw outsideJurisdiction(field);
}

/**
 * Whether the field's parent object is itself an entity reference (`_entities`), i.e. the object
 * was reached from another subgraph.
 */
export function viaEntityJoin(info: Pick<GraphQLResolveInfo, 'path'>): boolean {
  const item = info.path.prev;
  const root = item?.prev;
  return typeof item?.key === 'number' && root?.key === '_entities' && !root.prev;
}
