import { GraphQLError } from 'graphql';
import type { EntityManager } from 'typeorm';
import { requireScope } from '../kit/authz';
import { badInput, conflict, ErrorCode } from '../kit/errors';
import { idempotent } from '../kit/idempotency';
import { checkIdentityDocument } from '../kit/identity';
import { citizenRef, type IdentityDocument, type PseudonymKey } from '../kit/pseudonym';
import { Role, Scope } from '../kit/roles';
import type { SubgraphContext } from '../kit/server';
import {
  CheckpointRow,
  PassageRow,
  type CredentialType,
  type PassageDecision,
  type PassageDirection,
} from './entities';
import { coversCheckpoint } from './access';
import { checkpointById } from './loaders';
import { insertPassages, lockDevice, storedDevicePassages, type NewPassage } from './passage-rows';
import * as v from './validation';

/*
 * Recording scans: one at a time (`recordPassage`, idempotent by key) or in batches synced from
 * offline devices (`recordPassagesBatch`). Both apply the same rules: first the item's own fields,
 * then the checkpoint (known, neither closed nor suspended, active at the scan) and the operator
 * (assigned at the scan).
 *
 * Who may record where: a checkpoint outside the caller's jurisdiction is answered as an unknown
 * checkpoint; a caller with the checkpoint_officer role records only at checkpoints where an open
 * assignment names their subject (`checkpoint_operator.operator_subject`), FORBIDDEN otherwise.
 * Other callers with passages:write (devices, consumer apps) are bound by jurisdiction only.
 */

interface PassageFields {
  checkpointId: string;
  citizenRef?: string | null;
  document?: IdentityDocument | null;
  direction: PassageDirection;
  scannedAt: Date;
  credentialType: CredentialType;
  movementDeclarationId?: string | null;
  vehiclePlate?: string | null;
  decision: PassageDecision;
  reason?: string | null;
  operatorId?: string | null;
}

export interface PassageInput extends PassageFields {
  deviceId?: string | null;
  devicePassageId?: string | null;
}

export interface BatchPassageInput extends PassageFields {
  devicePassageId: string;
}

/** The person's pseudonym from exactly one of `citizenRef` and `document`; the number is never kept. */
function personRef(input: PassageFields, key: PseudonymKey): string {
  const hasRef = input.citizenRef !== null && input.citizenRef !== undefined;
  const hasDocument = input.document !== null && input.document !== undefined;
  if (hasRef && hasDocument) throw badInput('citizenRef', 'give either citizenRef or document, not both');
  if (hasRef) return v.citizenRefText('citizenRef', input.citizenRef!);
  if (!hasDocument) throw badInput('citizenRef', 'citizenRef or document is required');
  checkIdentityDocument(input.document!, {}, 'document');
  return citizenRef(input.document!, key);
}

/** The rules an item satisfies on its own (no database). */
function normalise(
  input: PassageFields,
  device: { deviceId: string | null; devicePassageId: string | null },
  ctx: SubgraphContext,
  now: Date,
): NewPassage {
  const checkpointId = v.uuid('checkpointId', input.checkpointId);
  const ref = personRef(input, ctx.pseudonymKey);
  const scannedAt = v.notInFuture('scannedAt', input.scannedAt, now);
  if (now.getTime() - scannedAt.getTime() > v.LIMITS.passageMaxAgeDays * v.DAY_MS) {
    throw badInput('scannedAt', `must be within the last ${v.LIMITS.passageMaxAgeDays} days`);
  }
  const reason = v.optionalText('reason', input.reason, v.LIMITS.passageReason);
  if (input.decision !== 'ALLOWED' && !reason) {
    throw badInput('reason', 'is required when the decision is not ALLOWED');
  }
  return {
    checkpointId,
    citizenRef: ref,
    direction: input.direction,
    scannedAt,
    credentialType: input.credentialType,
    movementDeclarationId: v.optionalUuid('movementDeclarationId', input.movementDeclarationId),
    vehiclePlate: v.vehiclePlate('vehiclePlate', input.vehiclePlate),
    decision: input.decision,
    reason,
    operatorUserId: v.optionalUuid('operatorId', input.operatorId),
    ...device,
    recordedBy: ctx.principal.subject,
  };
}

/** Whether the checkpoint accepts this passage now, from this caller. */
function checkCheckpoint(
  ctx: SubgraphContext,
  p: NewPassage,
  checkpoint: CheckpointRow | undefined,
  assigned: ReadonlySet<string> | null,
): void {
  if (!checkpoint || !coversCheckpoint(ctx.principal, checkpoint)) {
    throw badInput('checkpointId', 'no checkpoint has this id');
  }
  if (assigned && !assigned.has(checkpoint.id)) {
    throw notAssigned();
  }
  if (checkpoint.status === 'CLOSED')
    throw conflict('the checkpoint is closed and accepts no passages', 'checkpointId');
  if (checkpoint.status === 'SUSPENDED') {
    throw conflict('the checkpoint is suspended and accepts no passages', 'checkpointId');
  }
  if (p.scannedAt.getTime() < checkpoint.activeFrom.getTime()) {
    throw badInput('scannedAt', "is before the checkpoint's active period");
  }
  if (checkpoint.activeTo && p.scannedAt.getTime() >= checkpoint.activeTo.getTime()) {
    throw badInput('scannedAt', "is after the checkpoint's active period");
  }
}

function notAssigned(): GraphQLError {
  return new GraphQLError('checkpointId: you are not an assigned operator of this checkpoint', {
    extensions: { code: ErrorCode.FORBIDDEN, field: 'checkpointId' },
  });
}

/**
 * For a checkpoint officer, the checkpoints (of those named) where an open assignment names their
 * subject; null for other callers (not bound by assignments).
 */
async function assignedCheckpoints(
  ctx: SubgraphContext,
  m: EntityManager,
  ids: readonly string[],
): Promise<Set<string> | null> {
  if (!ctx.principal.roles.includes(Role.CHECKPOINT_OFFICER)) return null;
  if (ids.length === 0) return new Set();
  const rows = (await m.query(
    `SELECT DISTINCT checkpoint_id FROM checkpoint_operator
     WHERE operator_subject = $1 AND removed_at IS NULL AND checkpoint_id = ANY($2::uuid[])`,
    [ctx.principal.subject, [...new Set(ids)]],
  )) as { checkpoint_id: string }[];
  return new Set(rows.map((r) => r.checkpoint_id));
}

/**
 * The checkpoints of the given ids, locked FOR SHARE until the transaction ends, so a concurrent
 * close or suspension waits for the passages being stored (and they see its outcome, or it theirs).
 */
async function lockCheckpoints(m: EntityManager, ids: readonly string[]): Promise<Map<string, CheckpointRow>> {
  if (ids.length === 0) return new Map();
  const rows = await m
    .getRepository(CheckpointRow)
    .createQueryBuilder('c')
    .where('c.id IN (:...ids)', { ids: [...new Set(ids)] })
    .setLock('pessimistic_read')
    .getMany();
  return new Map(rows.map((c) => [c.id, c]));
}

/** (checkpoint, user, scan time) triples whose user was an assigned operator at that time. */
async function operatorsOnDuty(m: EntityManager, passages: readonly NewPassage[]): Promise<Set<number>> {
  const asked = passages.map((p, i) => ({ p, i })).filter(({ p }) => p.operatorUserId !== null);
  if (asked.length === 0) return new Set();
  const rows = (await m.query(
    `SELECT DISTINCT q.i FROM unnest($1::int[], $2::uuid[], $3::uuid[], $4::timestamptz[]) AS q(i, checkpoint_id, user_id, at)
     JOIN checkpoint_operator a ON a.checkpoint_id = q.checkpoint_id AND a.user_id = q.user_id
       AND a.assigned_at <= q.at AND (a.removed_at IS NULL OR a.removed_at > q.at)`,
    [
      asked.map(({ i }) => i),
      asked.map(({ p }) => p.checkpointId),
      asked.map(({ p }) => p.operatorUserId),
      asked.map(({ p }) => p.scannedAt),
    ],
  )) as { i: number }[];
  return new Set(rows.map((r) => r.i));
}

function checkOperator(p: NewPassage, onDuty: boolean): void {
  if (p.operatorUserId !== null && !onDuty) {
    throw badInput('operatorId', 'was not an assigned operator of the checkpoint at scannedAt');
  }
}

export async function recordPassage(
  ctx: SubgraphContext,
  input: PassageInput,
  idempotencyKey: string | null | undefined,
): Promise<PassageRow> {
  requireScope(ctx.principal, Scope.PASSAGES_WRITE);
  const deviceId = input.deviceId ?? null;
  const devicePassageId = input.devicePassageId ?? null;
  if ((deviceId === null) !== (devicePassageId === null)) {
    throw badInput(deviceId === null ? 'deviceId' : 'devicePassageId', 'deviceId and devicePassageId go together');
  }
  const device = {
    deviceId: deviceId === null ? null : v.deviceText('deviceId', deviceId),
    devicePassageId: devicePassageId === null ? null : v.deviceText('devicePassageId', devicePassageId),
  };
  const passage = normalise(input, device, ctx, new Date());
  // The key's input hash covers the pseudonym, never the document number.
  const { recordedBy: _, ...hashed } = passage;
  const created: { row?: PassageRow } = {};
  const { id } = await idempotent(
    ctx.db,
    { key: idempotencyKey, scope: ctx.principal.subject, operation: 'recordPassage', input: hashed },
    async (m) => {
      const checkpoints = await lockCheckpoints(m, [passage.checkpointId]);
      const assigned = await assignedCheckpoints(ctx, m, [passage.checkpointId]);
      checkCheckpoint(ctx, passage, checkpoints.get(passage.checkpointId), assigned);
      checkOperator(passage, (await operatorsOnDuty(m, [passage])).has(0));
      if (passage.deviceId !== null && passage.devicePassageId !== null) {
        await lockDevice(m, passage.deviceId);
        if ((await storedDevicePassages(m, passage.deviceId, [passage.devicePassageId])).size) {
          throw conflict('the device already sent a passage with this devicePassageId', 'devicePassageId');
        }
      }
      [created.row] = await insertPassages(m, [passage]);
      if (!created.row) {
        throw conflict('the device already sent a passage with this devicePassageId', 'devicePassageId');
      }
      return created.row.id;
    },
  );
  // A replay returns the passage the key first created.
  return created.row ?? (await ctx.db.getRepository(PassageRow).findOneByOrFail({ id }));
}

export type BatchOutcome = 'STORED' | 'DUPLICATE' | 'REJECTED';

export interface BatchItemResult {
  index: number;
  devicePassageId: string | null;
  outcome: BatchOutcome;
  passage: PassageRow | null;
  error: { code: string; field: string; rule: string } | null;
}

export interface BatchResult {
  stored: number;
  duplicates: number;
  rejected: number;
  items: BatchItemResult[];
}

/** A rule an item broke, as the batch reports it; anything else is a real failure and propagates. */
function itemError(e: unknown): { code: string; field: string; rule: string } {
  const code = e instanceof GraphQLError ? e.extensions.code : undefined;
  const field = e instanceof GraphQLError ? e.extensions.field : undefined;
  const itemCodes: unknown[] = [ErrorCode.BAD_USER_INPUT, ErrorCode.CONFLICT, ErrorCode.FORBIDDEN];
  if (typeof code !== 'string' || !itemCodes.includes(code) || typeof field !== 'string') throw e;
  const message = (e as GraphQLError).message;
  return { code, field, rule: message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message };
}

/**
 * Offline sync. Order of work, so a retry is always answered the same way and the database sees a
 * fixed number of statements whatever the batch size: (1) each item's devicePassageId, and repeats
 * within the batch; (2) the device's lock (passage-rows.ts `lockDevice`: one sync of a device at a
 * time) and one SELECT for the ids the device already sent, on any day (duplicates); (3) each
 * remaining item's own rules; (4) one SELECT locking the checkpoints named; (5) one SELECT for the
 * operators named; (6) one multi-row INSERT … ON CONFLICT DO NOTHING RETURNING for the valid items.
 * Items that lost a race with a concurrent sync of the same ids are looked up and reported as
 * duplicates.
 */
export async function recordPassagesBatch(
  ctx: SubgraphContext,
  deviceIdInput: string,
  inputs: readonly BatchPassageInput[],
): Promise<BatchResult> {
  requireScope(ctx.principal, Scope.PASSAGES_WRITE);
  const deviceId = v.deviceText('deviceId', deviceIdInput);
  if (inputs.length === 0) throw badInput('passages', 'must contain at least one passage');
  if (inputs.length > v.LIMITS.batchSize) {
    throw badInput('passages', `must contain at most ${v.LIMITS.batchSize} passages`);
  }
  const now = new Date();
  const items: BatchItemResult[] = inputs.map((_, index) => ({
    index,
    devicePassageId: null,
    outcome: 'REJECTED',
    passage: null,
    error: null,
  }));
  const reject = (index: number, e: unknown) => {
    items[index]!.outcome = 'REJECTED';
    items[index]!.error = itemError(e);
  };

  const firstIndexOf = new Map<string, number>();
  inputs.forEach((input, index) => {
    try {
      const id = v.deviceText('devicePassageId', input.devicePassageId);
      items[index]!.devicePassageId = id;
      const first = firstIndexOf.get(id);
      if (first !== undefined) throw badInput('devicePassageId', `repeats the devicePassageId of item ${first}`);
      firstIndexOf.set(id, index);
    } catch (e) {
      reject(index, e);
    }
  });

  await ctx.db.transaction(async (m) => {
    // one sync of a device at a time: what it already stored, looked up below, stays so until the insert
    await lockDevice(m, deviceId);
    const already = await storedDevicePassages(m, deviceId, [...firstIndexOf.keys()]);
    // A passage already stored at a checkpoint now outside the caller's jurisdiction is not shown:
    // the item is answered as one naming an unknown checkpoint (one more statement, only for retries).
    const visible = already.size
      ? await checkpointById(ctx).loadMany([...new Set([...already.values()].map((p) => p.checkpointId))])
      : [];
    const visibleIds = new Set(visible.flatMap((c) => (c && !(c instanceof Error) ? [c.id] : [])));
    const candidates: { index: number; passage: NewPassage }[] = [];
    for (const [devicePassageId, index] of firstIndexOf) {
      const stored = already.get(devicePassageId);
      if (stored && !visibleIds.has(stored.checkpointId)) {
        reject(index, badInput('checkpointId', 'no checkpoint has this id'));
        continue;
      }
      if (stored) {
        Object.assign(items[index]!, { outcome: 'DUPLICATE', passage: stored });
        continue;
      }
      try {
        candidates.push({ index, passage: normalise(inputs[index]!, { deviceId, devicePassageId }, ctx, now) });
      } catch (e) {
        reject(index, e);
      }
    }

    const named = candidates.map((c) => c.passage);
    const checkpointIds = named.map((p) => p.checkpointId);
    const checkpoints = await lockCheckpoints(m, checkpointIds);
    const assigned = await assignedCheckpoints(ctx, m, checkpointIds);
    const onDuty = await operatorsOnDuty(m, named);
    const valid = candidates.filter(({ index, passage }, i) => {
      try {
        checkCheckpoint(ctx, passage, checkpoints.get(passage.checkpointId), assigned);
        checkOperator(passage, onDuty.has(i));
        return true;
      } catch (e) {
        reject(index, e);
        return false;
      }
    });

    const toInsert = valid.map((c) => c.passage);
    const inserted = new Map((await insertPassages(m, toInsert)).map((p) => [p.devicePassageId!, p]));
    const lost = valid.filter((c) => !inserted.has(c.passage.devicePassageId!)).map((c) => c.passage.devicePassageId!);
    const raced = await storedDevicePassages(m, deviceId, lost);
    for (const { index, passage } of valid) {
      const stored = inserted.get(passage.devicePassageId!);
      Object.assign(
        items[index]!,
        stored
          ? { outcome: 'STORED', passage: stored }
          : { outcome: 'DUPLICATE', passage: raced.get(passage.devicePassageId!) ?? null },
      );
    }
  });

  const count = (o: BatchOutcome) => items.filter((i) => i.outcome === o).length;
  return { stored: count('STORED'), duplicates: count('DUPLICATE'), rejected: count('REJECTED'), items };
}
