import type { EntityManager } from 'typeorm';
import { requireScope } from '../kit/authz';
import { notFound } from '../kit/errors';
import { idempotent } from '../kit/idempotency';
import { isUuid } from '../kit/refs';
import { Scope } from '../kit/roles';
import type { SubgraphContext } from '../kit/server';
import type { MovementStatus } from './entities';
import { inJurisdiction, outsideJurisdiction } from './jurisdiction';
import { coversAny } from '../kit/jurisdiction';
import { movementById } from './loaders';
import { assertTransition } from './status';
import { selectMovements, type Movement } from './store';
import * as v from './validation';

/*
 * Writes. Each checks its scope (defence in depth behind the gateway), validates its input before
 * touching the database, and runs in one transaction with its status-history row. A transition
 * locks the declaration first (SELECT … FOR UPDATE), so concurrent decisions are serialised and the
 * second one sees the first one's result.
 */

async function insertStatusChange(
  m: EntityManager,
  change: { movementId: string; from: MovementStatus | null; to: MovementStatus; by: string; reason: string | null },
): Promise<void> {
  await m.query(
    `INSERT INTO movement_status_change (movement_id, from_status, to_status, changed_by, reason)
     VALUES ($1, $2, $3, $4, $5)`,
    [change.movementId, change.from, change.to, change.by, change.reason],
  );
}

async function insertDeclaration(m: EntityManager, d: v.ValidDeclaration, declaredBy: string): Promise<string> {
  const [row] = (await m.query(
    `INSERT INTO movement_declaration (
       citizen_ref, companion_refs, mode, conveyance_id, seat, depart_at, arrive_at,
       origin_province_code, origin_district_code, origin_ward_code, origin_detail,
       destination_province_code, destination_district_code, destination_ward_code, destination_detail,
       transit_unit_codes, purpose, status, valid_until, declared_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 'DECLARED', $18, $19)
     RETURNING id`,
    [
      d.citizenRef,
      d.companionRefs,
      d.mode,
      d.conveyanceId,
      d.seat,
      d.departAt,
      d.arriveAt,
      d.origin.provinceCode,
      d.origin.districtCode,
      d.origin.wardCode,
      d.origin.detail,
      d.destination.provinceCode,
      d.destination.districtCode,
      d.destination.wardCode,
      d.destination.detail,
      d.transitUnitCodes,
      d.purpose,
      d.validUntil,
      declaredBy,
    ],
  )) as { id: string }[];
  const id = row!.id;
  await insertStatusChange(m, { movementId: id, from: null, to: 'DECLARED', by: declaredBy, reason: null });
  return id;
}

/**
 * Records a declaration. With an idempotency key, a retry with the same input returns the first
 * declaration and a different input under the same key is a CONFLICT (kit/idempotency.ts); the
 * key is compared on the normalised input, so only pseudonyms are hashed, never document numbers.
 */
export async function declareMovement(
  ctx: SubgraphContext,
  input: v.DeclareMovementInput,
  idempotencyKey: string | null | undefined,
): Promise<Movement> {
  requireScope(ctx.principal, Scope.MOVEMENT_WRITE);
  const declaration = await v.validateDeclaration(ctx.db, input, ctx.pseudonymKey);
  // Declaring needs the origin or the destination in the caller's jurisdiction.
  if (!coversAny(ctx.principal, [declaration.origin, declaration.destination])) {
    throw outsideJurisdiction('destination.provinceCode');
  }
  const { id } = await idempotent(
    ctx.db,
    { key: idempotencyKey, scope: ctx.principal.subject, operation: 'declareMovement', input: declaration },
    (m) => insertDeclaration(m, declaration, ctx.principal.subject),
  );
  const stored = await movementById(ctx).load(id);
  if (!stored) throw notFound('Movement declaration');
  return stored;
}

/** Moves a declaration to `next` if the state machine allows it from its effective status. */
async function transition(
  ctx: SubgraphContext,
  id: string,
  next: MovementStatus,
  reason: string | null,
): Promise<Movement> {
  if (!isUuid(id)) throw notFound('Movement declaration');
  return ctx.db.transaction(async (m) => {
    const [current] = await selectMovements(m, 'm.id = $1', [id], 'FOR UPDATE');
    // A journey outside the caller's jurisdiction answers like a missing id.
    if (!current || !inJurisdiction(ctx.principal, current)) throw notFound('Movement declaration');
    assertTransition(current.status, next);
    const decision = next === 'APPROVED' || next === 'REJECTED';
    await m.query(
      `UPDATE movement_declaration SET status = $2,
         decided_by = CASE WHEN $3::boolean THEN $4::text ELSE decided_by END,
         decided_at = CASE WHEN $3::boolean THEN now() ELSE decided_at END,
         decision_note = CASE WHEN $3::boolean THEN $5::text ELSE decision_note END
       WHERE id = $1`,
      [id, next, decision, ctx.principal.subject, reason],
    );
    await insertStatusChange(m, { movementId: id, from: current.status, to: next, by: ctx.principal.subject, reason });
    const [updated] = await selectMovements(m, 'm.id = $1', [id]);
    return updated!;
  });
}

/** The declarant (through their app) withdraws a declared or approved journey. */
export async function cancelMovement(ctx: SubgraphContext, id: string, reasonInput: string): Promise<Movement> {
  requireScope(ctx.principal, Scope.MOVEMENT_WRITE);
  return transition(ctx, id, 'CANCELLED', v.reason(reasonInput));
}

export async function approveMovement(
  ctx: SubgraphContext,
  id: string,
  noteInput: string | null | undefined,
): Promise<Movement> {
  requireScope(ctx.principal, Scope.MOVEMENT_DECIDE);
  return transition(ctx, id, 'APPROVED', v.note(noteInput));
}

export async function rejectMovement(ctx: SubgraphContext, id: string, reasonInput: string): Promise<Movement> {
  requireScope(ctx.principal, Scope.MOVEMENT_DECIDE);
  return transition(ctx, id, 'REJECTED', v.reason(reasonInput));
}
