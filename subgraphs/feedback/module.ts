import type { SubgraphModule } from '../kit/module';
import { feedbackMigrations } from '../../migrations/feedback';
import { feedbackEntities } from './entities';
import { feedbackResolvers } from './resolvers';

/** Citizen feedback: owns `Feedback`, referencing `AdministrativeUnit` and `Organisation`. */
export const feedbackModule: SubgraphModule = {
  name: 'feedback',
  entities: feedbackEntities,
  migrations: feedbackMigrations,
  resolvers: feedbackResolvers,
};
