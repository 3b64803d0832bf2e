import { changeFeedResolvers } from '../kit/changes';
import { Scope } from '../kit/roles';
import type { SubgraphContext } from '../kit/server';
import { feedbackResolvers } from './resolvers';

type Ref = (ref: { id: string }, ctx: SubgraphContext) => unknown;

/** Feedback's change feed (kit/changes.ts): records load as entity joins load them. */
export const feedbackChangeResolvers = changeFeedResolvers({
  field: 'feedbackChanges',
  eventType: 'FeedbackEvent',
  entityUnion: 'FeedbackEventEntity',
  readScope: Scope.FEEDBACK_READ,
  entities: {
    Feedback: (id, ctx) => (feedbackResolvers.Feedback as { __resolveReference: Ref }).__resolveReference({ id }, ctx),
  },
});
