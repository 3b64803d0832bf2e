import { GraphQLError } from 'graphql';
import type { EntityManager } from 'typeorm';
import { requireScope } from '../kit/authz';
import { badInput, conflict, ErrorCode, notFound } from '../kit/errors';
import { idempotent } from '../kit/idempotency';
import { covers } from '../kit/jurisdiction';
import { isUuid } from '../kit/refs';
import { Scope } from '../kit/roles';
import type { SubgraphContext } from '../kit/server';
import { requiredText } from '../kit/validation';
import { validateLocality } from '../kit/admin-units/validate';
import {
  type FeedbackChangeRow,
  FeedbackRow,
  type FeedbackCategory,
  type FeedbackChannel,
  type FeedbackStatus,
} from './entities';
import { mayAccessFeedback, outsideField } from './access';
import * as v from './validation';
import { checkTransition, checkTransitionTarget, dueAtFor } from './workflow';

/*
 * Writes. Each checks its scope (defence in depth behind the gateway), validates its whole input
 * first (BAD_USER_INPUT naming the field), then writes in one transaction: the feedback row is
 * locked (SELECT … FOR UPDATE) while its status is checked and changed, and every change appends
 * a history row, so a failure leaves nothing behind and concurrent changes are applied one by one.
 *
 * Record-level access (access.ts): feedback the caller may not read is answered as a missing id;
 * submitting a report about a locality outside the caller's jurisdiction is FORBIDDEN naming the field.
 */

export interface SubmitFeedbackInput {
  channel: FeedbackChannel;
  category: FeedbackCategory;
  description: string;
  provinceCode: string;
  districtCode?: string | null;
  wardCode?: string | null;
  location?: v.LocationInput | null;
  reportedAt?: Date | null;
  reporter: v.ReporterInput;
  reportedPerson?: v.PersonInput | null;
}

export interface Receipt {
  feedback: FeedbackRow;
  replayed: boolean;
}

/** Appends a change; its seq is taken under the feedback row's lock, which the caller holds. */
async function appendChange(
  m: EntityManager,
  change: Omit<FeedbackChangeRow, 'seq' | 'feedback' | 'assigneeCode' | 'assigneeUnitCode'> &
    Partial<Pick<FeedbackChangeRow, 'assigneeCode' | 'assigneeUnitCode'>>,
): Promise<void> {
  await m.query(
    `INSERT INTO feedback_change (feedback_id, seq, at, actor, from_status, to_status, assignee_code, assignee_unit_code, note)
     SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4, $5, $6, $7, $8 FROM feedback_change WHERE feedback_id = $1`,
    [
      change.feedbackId,
      change.at,
      change.actor,
      change.fromStatus,
      change.toStatus,
      change.assigneeCode ?? null,
      change.assigneeUnitCode ?? null,
      change.note,
    ],
  );
}

async function lockFeedback(ctx: SubgraphContext, m: EntityManager, id: string): Promise<FeedbackRow> {
  const row = isUuid(id)
    ? await m.getRepository(FeedbackRow).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } })
    : null;
  if (!row || !mayAccessFeedback(ctx.principal, row)) throw notFound('Feedback');
  return row;
}

async function update(m: EntityManager, id: string, values: Partial<FeedbackRow>): Promise<FeedbackRow> {
  const repo = m.getRepository(FeedbackRow);
  await repo.update({ id }, values);
  return repo.findOneByOrFail({ id });
}

/** Validates everything (locality against the list in force at the reported time), then writes. */
export async function submitFeedback(
  ctx: SubgraphContext,
  input: SubmitFeedbackInput,
  idempotencyKey: string | null | undefined,
): Promise<Receipt> {
  requireScope(ctx.principal, Scope.FEEDBACK_WRITE);
  const now = new Date();
  const description = requiredText('input.description', input.description, v.LIMITS.description);
  const reportedAt = v.reportedAt('input.reportedAt', input.reportedAt, now);
  const location = v.location('input.location', input.location);
  const reporter = v.reporter('input.reporter', input.reporter, ctx.pseudonymKey);
  const reportedRef = v.reportedPerson('input.reportedPerson', input.reportedPerson, ctx.pseudonymKey);
  const locality = {
    provinceCode: input.provinceCode,
    districtCode: input.districtCode ?? null,
    wardCode: input.wardCode ?? null,
  };
  await validateLocality(ctx.db, locality, reportedAt, 'input.');
  if (!covers(ctx.principal, locality)) {
    const field = `input.${outsideField(ctx.principal, locality)}`;
    throw new GraphQLError(`${field}: is outside your jurisdiction`, {
      extensions: { code: ErrorCode.FORBIDDEN, field },
    });
  }

  // The replay check compares this input: identity documents only as their pseudonym.
  const fingerprint = { ...input, reporter, reportedPerson: reportedRef };
  const { id, replayed } = await idempotent(
    ctx.db,
    { key: idempotencyKey, scope: ctx.principal.subject, operation: 'submitFeedback', input: fingerprint },
    async (m) => {
      const { identifiers } = await m.getRepository(FeedbackRow).insert({
        channel: input.channel,
        category: input.category,
        description,
        ...locality,
        locationAddress: location.address,
        locationLatitude: location.latitude,
        locationLongitude: location.longitude,
        reportedAt,
        recordedAt: now,
        reporterKind: reporter.kind,
        reporterRef: reporter.ref,
        reporterPhone: reporter.phone,
        reportedRef,
        status: 'RECEIVED',
        dueAt: dueAtFor(input.category, reportedAt),
      });
      const feedbackId = identifiers[0]!.id as string;
      await appendChange(m, {
        feedbackId,
        at: now,
        actor: ctx.principal.subject,
        fromStatus: null,
        toStatus: 'RECEIVED',
        note: null,
      });
      return feedbackId;
    },
  );
  const feedback = await ctx.db.getRepository(FeedbackRow).findOneByOrFail({ id });
  return { feedback, replayed };
}

export interface AssignArgs {
  id: string;
  assigneeCode: string;
  assigneeUnitCode?: string | null;
  note?: string | null;
}

/** Assigns (RECEIVED → ASSIGNED) or reassigns (ASSIGNED or IN_PROGRESS → ASSIGNED). */
export async function assignFeedback(ctx: SubgraphContext, args: AssignArgs): Promise<FeedbackRow> {
  requireScope(ctx.principal, Scope.FEEDBACK_HANDLE);
  const now = new Date();
  const assigneeCode = v.organisationCode('assigneeCode', args.assigneeCode);
  const note = v.note('note', args.note);
  const unitCode =
    args.assigneeUnitCode === null || args.assigneeUnitCode === undefined
      ? null
      : await v.unitInForce(ctx.db, 'assigneeUnitCode', args.assigneeUnitCode, now);

  return ctx.db.transaction(async (m) => {
    const row = await lockFeedback(ctx, m, args.id);
    checkTransition('assignFeedback', row.status, 'ASSIGNED');
    if (row.status === 'ASSIGNED' && row.assigneeCode === assigneeCode && row.assigneeUnitCode === unitCode) {
      throw conflict(
        `the feedback is already assigned to ${assigneeCode}${unitCode ? ` (${unitCode})` : ''}`,
        'assigneeCode',
      );
    }
    await appendChange(m, {
      feedbackId: row.id,
      at: now,
      actor: ctx.principal.subject,
      fromStatus: row.status,
      toStatus: 'ASSIGNED',
      assigneeCode,
      assigneeUnitCode: unitCode,
      note,
    });
    return update(m, row.id, { status: 'ASSIGNED', assigneeCode, assigneeUnitCode: unitCode });
  });
}

export interface TransitionArgs {
  id: string;
  to: FeedbackStatus;
  note?: string | null;
  resolution?: string | null;
}

/**
 * ASSIGNED → IN_PROGRESS, IN_PROGRESS → RESOLVED (with a resolution), and RECEIVED, ASSIGNED or
 * IN_PROGRESS → REJECTED (with a note giving the reason). Anything else is refused.
 */
export async function transitionFeedback(ctx: SubgraphContext, args: TransitionArgs): Promise<FeedbackRow> {
  requireScope(ctx.principal, Scope.FEEDBACK_HANDLE);
  const now = new Date();
  checkTransitionTarget(args.to);
  const note = v.note('note', args.note);
  let resolution: string | null = null;
  if (args.to === 'RESOLVED') {
    if (args.resolution === null || args.resolution === undefined) {
      throw badInput('resolution', 'is required to resolve feedback');
    }
    resolution = requiredText('resolution', args.resolution, v.LIMITS.resolution);
  } else if (args.resolution !== null && args.resolution !== undefined) {
    throw badInput('resolution', 'is only given with to: RESOLVED');
  }
  if (args.to === 'REJECTED' && !note) throw badInput('note', 'is required to reject feedback (give the reason)');

  return ctx.db.transaction(async (m) => {
    const row = await lockFeedback(ctx, m, args.id);
    checkTransition('transitionFeedback', row.status, args.to);
    await appendChange(m, {
      feedbackId: row.id,
      at: now,
      actor: ctx.principal.subject,
      fromStatus: row.status,
      toStatus: args.to,
      note,
    });
    return update(m, row.id, { status: args.to, ...(resolution ? { resolution } : {}) });
  });
}

export interface MarkDuplicateArgs {
  id: string;
  of: string;
  note?: string | null;
}

/** Marks `id` as a duplicate of `of`, which must exist, differ from it and be an original. */
export async function markDuplicate(ctx: SubgraphContext, args: MarkDuplicateArgs): Promise<FeedbackRow> {
  requireScope(ctx.principal, Scope.FEEDBACK_HANDLE);
  const now = new Date();
  const note = v.note('note', args.note);
  if (args.of === args.id) throw badInput('of', 'must differ from id (feedback cannot duplicate itself)');
  if (!isUuid(args.id)) throw notFound('Feedback');
  if (!isUuid(args.of)) throw badInput('of', 'no feedback has this id');

  return ctx.db.transaction(async (m) => {
    // Both rows, locked in id order so two opposite calls cannot deadlock.
    const rows = await m
      .getRepository(FeedbackRow)
      .createQueryBuilder('f')
      .where('f.id IN (:...ids)', { ids: [args.id, args.of] })
      .orderBy('f.id')
      .setLock('pessimistic_write')
      .getMany();
    const row = rows.find((r) => r.id === args.id && mayAccessFeedback(ctx.principal, r));
    const original = rows.find((r) => r.id === args.of && mayAccessFeedback(ctx.principal, r));
    if (!row) throw notFound('Feedback');
    if (!original) throw badInput('of', 'no feedback has this id');
    if (original.status === 'DUPLICATE') {
      throw badInput('of', `is itself a duplicate of ${original.duplicateOf}: point at the original`);
    }
    checkTransition('markDuplicate', row.status, 'DUPLICATE');
    const [pointing] = (await m.query(`SELECT id FROM feedback WHERE duplicate_of = $1 LIMIT 1`, [row.id])) as {
      id: string;
    }[];
    if (pointing) {
      throw conflict(
        `feedback ${pointing.id} is a duplicate of this one, so it cannot itself become a duplicate`,
        'id',
      );
    }
    await appendChange(m, {
      feedbackId: row.id,
      at: now,
      actor: ctx.principal.subject,
      fromStatus: row.status,
      toStatus: 'DUPLICATE',
      note: note ?? `duplicate of ${original.id}`,
    });
    return update(m, row.id, { status: 'DUPLICATE', duplicateOf: original.id });
  });
}
