import type { SubgraphModule } from '../kit/module';
import { checkpointsMigrations } from '../../migrations/checkpoints';
import { checkpointsEntities } from './entities';
import { checkpointsResolvers } from './resolvers';
import { checkpointsDataSubjectResolvers } from './data-subject';
import { checkpointsChangeResolvers } from './changes';
import { mergeResolvers } from '../kit/resolvers';
import { seedDevelopment, seedReference } from './seed';
import { checkpointsRetention } from './retention';

/**
 * Checkpoints and controlled venues, their operators and entry/exit control (passages): owns
 * `Checkpoint` and `Passage`, and adds passages to `Citizen` and `MovementDeclaration` and
 * checkpoints to `Organisation`. Keeps its own copy of the unit list.
 */
export const checkpointsModule: SubgraphModule = {
  name: 'checkpoints',
  entities: checkpointsEntities,
  migrations: checkpointsMigrations,
  resolvers: mergeResolvers(checkpointsResolvers, checkpointsDataSubjectResolvers, checkpointsChangeResolvers),
  seedReference,
  seedDevelopment,
  retention: checkpointsRetention,
};
