import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { ErrorCode } from '../kit/errors';
import { coversAny, isNationalPrincipal, jurisdictionSql, type RecordUnits } from '../kit/jurisdiction';
import type { Principal } from '../kit/principal';
import type { Movement } from './store';

/*
 * Record-level jurisdiction for journeys (DESIGN §5.5): a journey is in the caller's jurisdiction
 * when its origin, its destination or one of its transit units is covered. A transit unit is known
 * by its code alone, so it counts when it is one of the caller's own units. Checks run per record;
 * a journey outside the jurisdiction answers exactly like a missing one.
 */

type Who = Pick<Principal, 'jurisdictions'>;

const LEVEL: Readonly<Record<number, keyof RecordUnits>> = { 2: 'provinceCode', 3: 'districtCode', 5: 'wardCode' };

function transitUnit(code: string): RecordUnits {
  const record: RecordUnits = { provinceCode: null, districtCode: null, wardCode: null };
  const level = LEVEL[code.length];
  if (level) record[level] = code;
  return record;
}

export function inJurisdiction(principal: Who, m: Movement): boolean {
  return coversAny(principal, [
    { provinceCode: m.originProvinceCode, districtCode: m.originDistrictCode, wardCode: m.originWardCode },
    {
      provinceCode: m.destinationProvinceCode,
      districtCode: m.destinationDistrictCode,
      wardCode: m.destinationWardCode,
    },
    ...m.transitUnitCodes.map(transitUnit),
  ]);
}

export function visible(principal: Who, rows: readonly Movement[]): Movement[] {
  return rows.filter((m) => inJurisdiction(principal, m));
}

/** The same rule as `inJurisdiction`, as a SQL condition over alias `m` (first parameter `$first`). */
export function movementJurisdictionSql(principal: Who, first: number): { sql: string; params: unknown[] } {
  if (isNationalPrincipal(principal)) return { sql: 'TRUE', params: [] };
  const end = (side: 'origin' | 'destination', at: number) =>
    jurisdictionSql(
      principal,
      { province: `m.${side}_province_code`, district: `m.${side}_district_code`, ward: `m.${side}_ward_code` },
      at,
    );
  const origin = end('origin', first);
  const destination = end('destination', first + origin.params.length);
  const units = principal.jurisdictions.map((j) => j.unitCode).filter((c): c is string => !!c);
  const transit = `m.transit_unit_codes && $${first + origin.params.length + destination.params.length}::text[]`;
  return {
    sql: `(${origin.sql} OR ${destination.sql} OR ${transit})`,
    params: [...origin.params, ...destination.params, units],
  };
}

/** FORBIDDEN naming the input field whose unit is outside the caller's jurisdiction. */
export function outsideJurisdiction(field: string): GraphQLError {
  return new GraphQLError(`${field}: outside your jurisdiction`, {
    extensions: { code: ErrorCode.FORBIDDEN, field },
  });
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
