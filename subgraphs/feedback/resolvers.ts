import { requireScope } from '../kit/authz';
import { codeRef } from '../kit/refs';
import { Scope } from '../kit/roles';
import { scalarResolvers } from '../kit/scalars';
import type { SubgraphContext, SubgraphResolvers } from '../kit/server';
import type { FeedbackRow } from './entities';
import { feedbackLoader } from './loaders';
import { listFeedback, type FeedbackListArgs } from './queries';

export const feedbackResolvers: SubgraphResolvers = {
  ...scalarResolvers,
  Query: {
    feedback: (_: unknown, args: { id: string }, ctx: SubgraphContext): Promise<FeedbackRow | null> => {
      requireScope(ctx.principal, Scope.FEEDBACK_READ);
      return feedbackLoader(ctx).load(args.id);
    },
    feedbackList: (_: unknown, args: FeedbackListArgs, ctx: SubgraphContext) => {
      requireScope(ctx.principal, Scope.FEEDBACK_READ);
      return listFeedback(ctx.db, args);
    },
  },
  Feedback: {
    __resolveReference: (ref: { id: string }, ctx: SubgraphContext): Promise<FeedbackRow | null> => {
      requireScope(ctx.principal, Scope.FEEDBACK_READ);
      return feedbackLoader(ctx).load(ref.id);
    },
    province: (f: FeedbackRow) => codeRef(f.provinceCode),
    district: (f: FeedbackRow) => codeRef(f.districtCode),
    ward: (f: FeedbackRow) => codeRef(f.wardCode),
    assignee: (f: FeedbackRow) => codeRef(f.assigneeCode),
  },
};
