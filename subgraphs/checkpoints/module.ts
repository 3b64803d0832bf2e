import type { SubgraphModule } from '../kit/module';
import { checkpointsMigrations } from '../../migrations/checkpoints';
import { checkpointsEntities } from './entities';
import { checkpointsResolvers } from './resolvers';

/** Checkpoints and controlled venues: owns `Checkpoint`, referencing units and operators. */
export const checkpointsModule: SubgraphModule = {
  name: 'checkpoints',
  entities: checkpointsEntities,
  migrations: checkpointsMigrations,
  resolvers: checkpointsResolvers,
};
