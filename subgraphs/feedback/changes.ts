import { byReference, changeFeedResolvers } from '../kit/changes';
import { Scope } from '../kit/roles';
import { feedbackResolvers } from './resolvers';

/** Feedback's change feed (kit/changes.ts): records load as entity joins load them. */
export const feedbackChangeResolvers = changeFeedResolvers({
  field: 'feedbackChanges',
  eventType: 'FeedbackEvent',
  entityUnion: 'FeedbackEventEntity',
  readScope: Scope.FEEDBACK_READ,
  entities: { Feedback: byReference(feedbackResolvers, 'Feedback') },
});
