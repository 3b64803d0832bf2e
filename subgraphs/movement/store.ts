import type { Queryable } from '../kit/admin-units/query';
import type { MovementStatus, TravelMode } from './entities';
import { effectiveStatusSql } from './status';

/*
 * How declarations are read: plain SQL returning the read model below, with the EFFECTIVE status
 * (EXPIRED computed from valid_until), so no read can show a stale status.
 */

/** A declaration as the resolvers see it. */
export interface Movement {
  id: string;
  citizenRef: string;
  companionRefs: string[];
  mode: TravelMode;
  conveyanceId: string | null;
  seat: string | null;
  departAt: Date;
  arriveAt: Date | null;
  originProvinceCode: string;
  originDistrictCode: string | null;
  originWardCode: string | null;
  originDetail: string | null;
  destinationProvinceCode: string;
  destinationDistrictCode: string | null;
  destinationWardCode: string | null;
  destinationDetail: string | null;
  transitUnitCodes: string[];
  purpose: string | null;
  status: MovementStatus;
  validUntil: Date;
  declaredBy: string;
  declaredAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionNote: string | null;
}

/** One entry of a declaration's status history. */
export interface StatusChange {
  movementId: string;
  from: MovementStatus | null;
  to: MovementStatus;
  by: string;
  at: Date;
  reason: string | null;
}

/** The select list of the read model for table alias `m`. */
export const MOVEMENT_COLUMNS = `
  m.id, m.citizen_ref AS "citizenRef", m.companion_refs AS "companionRefs", m.mode,
  m.conveyance_id AS "conveyanceId", m.seat, m.depart_at AS "departAt", m.arrive_at AS "arriveAt",
  m.origin_province_code AS "originProvinceCode", m.origin_district_code AS "originDistrictCode",
  m.origin_ward_code AS "originWardCode", m.origin_detail AS "originDetail",
  m.destination_province_code AS "destinationProvinceCode", m.destination_district_code AS "destinationDistrictCode",
  m.destination_ward_code AS "destinationWardCode", m.destination_detail AS "destinationDetail",
  m.transit_unit_codes AS "transitUnitCodes", m.purpose, ${effectiveStatusSql('m')} AS status,
  m.valid_until AS "validUntil", m.declared_by AS "declaredBy", m.declared_at AS "declaredAt",
  m.decided_by AS "decidedBy", m.decided_at AS "decidedAt", m.decision_note AS "decisionNote"`;

/** Declarations matching `where` (over alias `m`), with an optional tail (ORDER BY, LIMIT, FOR UPDATE). */
export async function selectMovements(q: Queryable, where: string, params: unknown[], tail = ''): Promise<Movement[]> {
  return (await q.query(
    `SELECT ${MOVEMENT_COLUMNS} FROM movement_declaration m WHERE ${where} ${tail}`,
    params,
  )) as Movement[];
}

/** The status histories of several declarations, oldest change first. */
export async function selectStatusChanges(q: Queryable, movementIds: readonly string[]): Promise<StatusChange[]> {
  return (await q.query(
    `SELECT movement_id AS "movementId", from_status AS "from", to_status AS "to", changed_by AS "by",
       changed_at AS "at", reason
     FROM movement_status_change WHERE movement_id = ANY($1::uuid[]) ORDER BY movement_id, id`,
    [[...movementIds]],
  )) as StatusChange[];
}
