import { requireScope, requireScopes } from '../kit/authz';
import { maskPhone, personalValue } from '../kit/masking';
import { pageSize } from '../kit/pagination';
import { codeRef } from '../kit/refs';
import { Scope } from '../kit/roles';
import { scalarResolvers } from '../kit/scalars';
import type { SubgraphContext, SubgraphResolvers } from '../kit/server';
import type { FeedbackChangeRow, FeedbackRow, FeedbackStatus } from './entities';
import { assignedFeedbackLoader, feedbackLoader, historyLoader } from './loaders';
import * as mutations from './mutations';
import * as queries from './queries';
import { isOverdue } from './workflow';

/*
 * The resolver map. Reads need feedback:read (stats: stats:read or feedback:read); the reporter and
 * the reported person are restricted and also need restricted:read. Nested fields load through the
 * request's DataLoaders, so a page costs the same number of statements whatever its size.
 * Record-level access (access.ts: the caller's jurisdiction, or assigned to the caller's
 * organisation) is applied in the loaders and the list queries, so `__resolveReference`,
 * `duplicateOf` and `Organisation.assignedFeedback` answer an item outside it as a missing one.
 */

type Ctx = SubgraphContext;

const read = (ctx: Ctx) => requireScope(ctx.principal, Scope.FEEDBACK_READ);
const restricted = (ctx: Ctx) => requireScope(ctx.principal, Scope.RESTRICTED_READ);
const citizen = (ref: string | null) => (ref === null ? null : { ref });

export const feedbackResolvers: SubgraphResolvers = {
  ...scalarResolvers,
  Query: {
    feedback: (_: unknown, args: { id: string }, ctx: Ctx) => {
      read(ctx);
      return feedbackLoader(ctx).load(args.id);
    },
    feedbackList: (_: unknown, args: queries.FeedbackListArgs, ctx: Ctx) => {
      read(ctx);
      return queries.listFeedback(ctx, args);
    },
    feedbackStats: (_: unknown, args: queries.StatsArgs, ctx: Ctx) => {
      requireScopes(ctx.principal, [[Scope.STATS_READ], [Scope.FEEDBACK_READ]]);
      return queries.feedbackStats(ctx, args);
    },
    overdueFeedback: (_: unknown, args: queries.OverdueArgs, ctx: Ctx) => {
      read(ctx);
      return queries.listOverdue(ctx, args, new Date());
    },
  },
  Mutation: {
    submitFeedback: (
      _: unknown,
      args: { input: mutations.SubmitFeedbackInput; idempotencyKey?: string | null },
      ctx: Ctx,
    ) => mutations.submitFeedback(ctx, args.input, args.idempotencyKey),
    assignFeedback: (_: unknown, args: mutations.AssignArgs, ctx: Ctx) => mutations.assignFeedback(ctx, args),
    transitionFeedback: (_: unknown, args: mutations.TransitionArgs, ctx: Ctx) =>
      mutations.transitionFeedback(ctx, args),
    markDuplicate: (_: unknown, args: mutations.MarkDuplicateArgs, ctx: Ctx) => mutations.markDuplicate(ctx, args),
  },
  FeedbackReceipt: {
    id: (r: mutations.Receipt) => r.feedback.id,
    status: (r: mutations.Receipt) => r.feedback.status,
    reportedAt: (r: mutations.Receipt) => r.feedback.reportedAt,
    dueAt: (r: mutations.Receipt) => r.feedback.dueAt,
    feedback: (r: mutations.Receipt, _: unknown, ctx: Ctx) => {
      read(ctx);
      return r.feedback;
    },
  },
  Feedback: {
    __resolveReference: (ref: { id: string }, ctx: Ctx) => {
      read(ctx);
      return feedbackLoader(ctx).load(ref.id);
    },
    province: (f: FeedbackRow) => codeRef(f.provinceCode),
    district: (f: FeedbackRow) => codeRef(f.districtCode),
    ward: (f: FeedbackRow) => codeRef(f.wardCode),
    location: (f: FeedbackRow) =>
      f.locationAddress === null && f.locationLatitude === null
        ? null
        : { address: f.locationAddress, latitude: f.locationLatitude, longitude: f.locationLongitude },
    reporter: (f: FeedbackRow, _: unknown, ctx: Ctx) => {
      restricted(ctx);
      // Restricted: callers without pii:read get the phone masked (kit/masking.ts).
      return {
        kind: f.reporterKind,
        citizen: citizen(f.reporterRef),
        phone: personalValue(ctx.principal, f.reporterPhone, maskPhone),
      };
    },
    reportedPerson: (f: FeedbackRow, _: unknown, ctx: Ctx) => {
      restricted(ctx);
      return citizen(f.reportedRef);
    },
    assignee: (f: FeedbackRow) => codeRef(f.assigneeCode),
    assigneeUnit: (f: FeedbackRow) => codeRef(f.assigneeUnitCode),
    overdue: (f: FeedbackRow) => isOverdue(f),
    duplicateOf: (f: FeedbackRow, _: unknown, ctx: Ctx) =>
      f.duplicateOf === null ? null : feedbackLoader(ctx).load(f.duplicateOf),
    history: async (f: FeedbackRow, _: unknown, ctx: Ctx) => (await historyLoader(ctx).load(f.id)) ?? [],
  },
  FeedbackChange: {
    from: (c: FeedbackChangeRow) => c.fromStatus,
    to: (c: FeedbackChangeRow) => c.toStatus,
    assignee: (c: FeedbackChangeRow) => codeRef(c.assigneeCode),
    assigneeUnit: (c: FeedbackChangeRow) => codeRef(c.assigneeUnitCode),
  },
  Organisation: {
    // The organisations subgraph owns the entity; here it only needs its code.
    __resolveReference: (ref: { code: string }) => ({ code: ref.code }),
    assignedFeedback: async (
      o: { code: string },
      args: { status?: FeedbackStatus | null; first?: number | null },
      ctx: Ctx,
    ) => {
      read(ctx);
      const limit = pageSize(args.first);
      return (await assignedFeedbackLoader(ctx, args.status ?? null, limit).load(o.code)) ?? [];
    },
  },
};
