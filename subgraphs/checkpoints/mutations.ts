import { IsNull, type EntityManager } from 'typeorm';
import { requireScope } from '../kit/authz';
import { badInput, conflict, notFound } from '../kit/errors';
import { isUuid } from '../kit/refs';
import { Scope } from '../kit/roles';
import type { SubgraphContext } from '../kit/server';
import { validateLocality } from '../kit/admin-units/validate';
import {
  CheckpointOperatorRow,
  CheckpointRow,
  type CheckpointKind,
  type CheckpointStatus,
  type ScanMode,
} from './entities';
import { coversCheckpoint, outsideField, outsideJurisdiction } from './access';
import * as v from './validation';

/*
 * Checkpoint and operator writes. Each checks its scope (defence in depth behind the gateway),
 * validates its input, and runs in one transaction so a failure leaves nothing behind. The
 * checkpoint row is locked first (SELECT … FOR UPDATE), so concurrent changes of one checkpoint —
 * and passages being stored for it, which lock it FOR SHARE — are serialised.
 *
 * Jurisdiction (access.ts): an existing checkpoint outside the caller's jurisdiction is answered as
 * an unknown id (NOT_FOUND); registering a checkpoint, or moving one, outside it is FORBIDDEN naming
 * the unit field.
 */

export interface RegisterCheckpointInput {
  name: string;
  kind: CheckpointKind;
  provinceCode: string;
  districtCode?: string | null;
  wardCode?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  operatorCode?: string | null;
  scanMode: ScanMode;
  activeFrom: Date;
  activeTo?: Date | null;
}

/** Omitted (undefined) keeps a value; null clears an optional one. */
export type UpdateCheckpointInput = {
  [K in keyof RegisterCheckpointInput]?: RegisterCheckpointInput[K] | null;
} & { status?: CheckpointStatus | null };

const isUniqueViolation = (e: unknown): boolean =>
  (e as { driverError?: { code?: unknown } }).driverError?.code === '23505';

/** Unit codes as given: blank means none. */
const code = (value: string | null | undefined): string | null => (value?.trim() ? value.trim() : null);

async function lockCheckpoint(ctx: SubgraphContext, m: EntityManager, id: string): Promise<CheckpointRow> {
  const row = isUuid(id)
    ? await m.getRepository(CheckpointRow).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } })
    : null;
  if (!row || !coversCheckpoint(ctx.principal, row)) throw notFound('Checkpoint');
  return row;
}

/** The unit field a checkpoint outside the caller's jurisdiction is refused on. */
function checkPlacement(ctx: SubgraphContext, c: Pick<CheckpointRow, 'provinceCode' | 'districtCode' | 'wardCode'>) {
  if (!coversCheckpoint(ctx.principal, c)) {
    throw outsideJurisdiction(`input.${outsideField(ctx.principal, c)}`);
  }
}

export async function registerCheckpoint(ctx: SubgraphContext, input: RegisterCheckpointInput): Promise<CheckpointRow> {
  requireScope(ctx.principal, Scope.CHECKPOINTS_WRITE);
  const values = {
    name: v.requiredText('name', input.name, v.LIMITS.checkpointName),
    kind: input.kind,
    provinceCode: code(input.provinceCode) ?? '',
    districtCode: code(input.districtCode),
    wardCode: code(input.wardCode),
    ...v.position(input.latitude, input.longitude),
    operatorCode: v.organisationCode('operatorCode', input.operatorCode),
    scanMode: input.scanMode,
    activeFrom: input.activeFrom,
    activeTo: input.activeTo ?? null,
    status: 'ACTIVE' as const,
    createdBy: ctx.principal.subject,
  };
  v.activePeriod(values.activeFrom, values.activeTo);
  return ctx.db.transaction(async (m) => {
    await validateLocality(m, values, values.activeFrom);
    checkPlacement(ctx, values);
    const repo = m.getRepository(CheckpointRow);
    const { identifiers } = await repo.insert(values);
    return repo.findOneByOrFail({ id: identifiers[0]!.id as string });
  });
}

/** The fields of `input` that were given (an explicit null counts as given). */
function given<T extends object>(input: T): Set<keyof T> {
  return new Set((Object.keys(input) as (keyof T)[]).filter((k) => input[k] !== undefined));
}

function required<T>(field: string, value: T | null | undefined): T {
  if (value === null || value === undefined) throw badInput(field, 'must not be null');
  return value;
}

export async function updateCheckpoint(
  ctx: SubgraphContext,
  id: string,
  input: UpdateCheckpointInput,
): Promise<CheckpointRow> {
  requireScope(ctx.principal, Scope.CHECKPOINTS_WRITE);
  const has = given(input);
  if (has.size === 0) throw badInput('input', 'must change at least one field');
  if (input.status === 'CLOSED') throw badInput('status', 'close a checkpoint with closeCheckpoint');
  return ctx.db.transaction(async (m) => {
    const row = await lockCheckpoint(ctx, m, id);
    if (row.status === 'CLOSED') throw conflict('the checkpoint is closed and cannot change', 'id');
    const next: Partial<CheckpointRow> = {};
    if (has.has('name')) next.name = v.requiredText('name', required('name', input.name), v.LIMITS.checkpointName);
    if (has.has('kind')) next.kind = required('kind', input.kind);
    if (has.has('scanMode')) next.scanMode = required('scanMode', input.scanMode);
    if (has.has('status')) next.status = required('status', input.status);
    if (has.has('provinceCode')) next.provinceCode = required('provinceCode', code(input.provinceCode));
    if (has.has('districtCode')) next.districtCode = code(input.districtCode);
    if (has.has('wardCode')) next.wardCode = code(input.wardCode);
    if (has.has('operatorCode')) next.operatorCode = v.organisationCode('operatorCode', input.operatorCode);
    if (has.has('latitude') || has.has('longitude')) {
      Object.assign(
        next,
        v.position(
          has.has('latitude') ? input.latitude : row.latitude,
          has.has('longitude') ? input.longitude : row.longitude,
        ),
      );
    }
    if (has.has('activeFrom')) next.activeFrom = required('activeFrom', input.activeFrom);
    if (has.has('activeTo')) next.activeTo = input.activeTo ?? null;
    const merged = { ...row, ...next };
    v.activePeriod(merged.activeFrom, merged.activeTo);
    if (
      ['provinceCode', 'districtCode', 'wardCode', 'activeFrom'].some((k) => has.has(k as keyof UpdateCheckpointInput))
    ) {
      await validateLocality(m, merged, merged.activeFrom);
    }
    checkPlacement(ctx, merged);
    const repo = m.getRepository(CheckpointRow);
    await repo
      .createQueryBuilder()
      .update()
      .set({ ...next, updatedBy: ctx.principal.subject, updatedAt: () => 'now()' })
      .where('id = :id', { id: row.id })
      .execute();
    return repo.findOneByOrFail({ id: row.id });
  });
}

export async function closeCheckpoint(ctx: SubgraphContext, id: string, reasonInput: string): Promise<CheckpointRow> {
  requireScope(ctx.principal, Scope.CHECKPOINTS_WRITE);
  const reason = v.requiredText('reason', reasonInput, v.LIMITS.closeReason);
  return ctx.db.transaction(async (m) => {
    const row = await lockCheckpoint(ctx, m, id);
    if (row.status === 'CLOSED') throw conflict('the checkpoint is already closed', 'id');
    const repo = m.getRepository(CheckpointRow);
    await repo
      .createQueryBuilder()
      .update()
      .set({ status: 'CLOSED', closedBy: ctx.principal.subject, closedAt: () => 'now()', closeReason: reason })
      .where('id = :id', { id: row.id })
      .execute();
    return repo.findOneByOrFail({ id: row.id });
  });
}

async function openAssignment(m: EntityManager, checkpointId: string, userId: string) {
  return m.getRepository(CheckpointOperatorRow).findOne({
    where: { checkpointId, userId, removedAt: IsNull() },
    lock: { mode: 'pessimistic_write' },
  });
}

export async function assignOperator(
  ctx: SubgraphContext,
  checkpointId: string,
  userIdInput: string,
  operatorSubjectInput: string | null = null,
): Promise<CheckpointOperatorRow> {
  requireScope(ctx.principal, Scope.CHECKPOINTS_WRITE);
  const userId = v.uuid('userId', userIdInput);
  const operatorSubject =
    operatorSubjectInput === null ? null : v.requiredText('operatorSubject', operatorSubjectInput, v.LIMITS.subject);
  return ctx.db.transaction(async (m) => {
    const checkpoint = await lockCheckpoint(ctx, m, checkpointId);
    if (checkpoint.status === 'CLOSED') throw conflict('the checkpoint is closed', 'checkpointId');
    const repo = m.getRepository(CheckpointOperatorRow);
    if (await repo.existsBy({ checkpointId: checkpoint.id, userId, removedAt: IsNull() })) {
      throw conflict('the user is already an operator of this checkpoint', 'userId');
    }
    try {
      const { identifiers } = await repo.insert({
        checkpointId: checkpoint.id,
        userId,
        operatorSubject,
        assignedBy: ctx.principal.subject,
      });
      return repo.findOneByOrFail({ id: identifiers[0]!.id as string });
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict('the user is already an operator of this checkpoint', 'userId');
      throw e;
    }
  });
}

export async function removeOperator(
  ctx: SubgraphContext,
  checkpointId: string,
  userIdInput: string,
): Promise<CheckpointOperatorRow> {
  requireScope(ctx.principal, Scope.CHECKPOINTS_WRITE);
  const userId = v.uuid('userId', userIdInput);
  return ctx.db.transaction(async (m) => {
    const checkpoint = await lockCheckpoint(ctx, m, checkpointId);
    const assignment = await openAssignment(m, checkpoint.id, userId);
    if (!assignment) throw notFound('Operator assignment');
    const repo = m.getRepository(CheckpointOperatorRow);
    await repo
      .createQueryBuilder()
      .update()
      .set({ removedBy: ctx.principal.subject, removedAt: () => 'now()' })
      .where('id = :id', { id: assignment.id })
      .execute();
    return repo.findOneByOrFail({ id: assignment.id });
  });
}
