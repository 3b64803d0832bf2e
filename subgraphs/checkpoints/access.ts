import { GraphQLError } from 'graphql';
import { ErrorCode } from '../kit/errors';
import { covers, jurisdictionSql } from '../kit/jurisdiction';
import type { Principal } from '../kit/principal';
import type { CheckpointRow } from './entities';

/*
 * Record-level jurisdiction of the checkpoints subgraph (DESIGN §5.5). A checkpoint is in the
 * caller's jurisdiction when one of the caller's grants covers its province, district and ward; a
 * passage is when its checkpoint is; an operator assignment is when its checkpoint is. A record
 * outside it is answered exactly as a missing one (null, an empty list, NOT_FOUND on writes).
 */

type Who = Pick<Principal, 'jurisdictions'>;

export function coversCheckpoint(
  principal: Who,
  c: Pick<CheckpointRow, 'provinceCode' | 'districtCode' | 'wardCode'>,
): boolean {
  return covers(principal, { provinceCode: c.provinceCode, districtCode: c.districtCode, wardCode: c.wardCode });
}

/**
 * The jurisdiction condition over a checkpoint table alias, with TypeORM named parameters (for
 * query builders): `jur_1`, `jur_2`, …
 */
export function checkpointWhere(principal: Who, alias: string): { sql: string; params: Record<string, unknown> } {
  const { sql, params } = checkpointSql(principal, alias, 1);
  return {
    sql: sql.replace(/\$(\d+)/g, (_, n: string) => `:jur_${n}`),
    params: Object.fromEntries(params.map((p, i) => [`jur_${i + 1}`, p])),
  };
}

/** The jurisdiction condition over a checkpoint table alias, with `$n` parameters from `firstParam`. */
export function checkpointSql(principal: Who, alias: string, firstParam: number) {
  return jurisdictionSql(
    principal,
    { province: `${alias}.province_code`, district: `${alias}.district_code`, ward: `${alias}.ward_code` },
    firstParam,
  );
}

/**
 * The unit field that takes a placement outside the caller's jurisdiction: the province when no
 * grant covers it, else the district, else the ward.
 */
export function outsideField(
  principal: Who,
  c: { provinceCode: string | null; districtCode?: string | null; wardCode?: string | null },
): string {
  if (!covers(principal, { provinceCode: c.provinceCode })) return 'provinceCode';
  if (c.districtCode && !covers(principal, { provinceCode: c.provinceCode, districtCode: c.districtCode })) {
    return 'districtCode';
  }
  return 'wardCode';
}

/** A write that would place a record outside the caller's jurisdiction: FORBIDDEN naming the field. */
export function outsideJurisdiction(field: string): GraphQLError {
  return new GraphQLError(`${field}: is outside your jurisdiction`, {
    extensions: { code: ErrorCode.FORBIDDEN, field },
  });
}
