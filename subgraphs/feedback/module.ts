import type { SubgraphModule } from '../kit/module';
import { feedbackMigrations } from '../../migrations/feedback';
import { feedbackEntities } from './entities';
import { feedbackResolvers } from './resolvers';
import { feedbackDataSubjectResolvers } from './data-subject';
import { feedbackChangeResolvers } from './changes';
import { mergeResolvers } from '../kit/resolvers';
import { seedDevelopment, seedReference } from './seed';
import { feedbackRetention } from './retention';

/**
 * Citizen feedback and its handling workflow: owns `Feedback`, extends `Organisation` with its
 * assigned feedback, references `AdministrativeUnit` and `Citizen`. Keeps its own copy of the unit
 * lists (to validate localities) and idempotency keys (for submissions).
 */
export const feedbackModule: SubgraphModule = {
  name: 'feedback',
  entities: feedbackEntities,
  migrations: feedbackMigrations,
  resolvers: mergeResolvers(feedbackResolvers, feedbackDataSubjectResolvers, feedbackChangeResolvers),
  seedReference,
  seedDevelopment,
  retention: feedbackRetention,
};
