import type { SubgraphModule } from '../kit/module';
import { movementMigrations } from '../../migrations/movement';
import { movementEntities } from './entities';
import { movementResolvers } from './resolvers';
import { movementDataSubjectResolvers } from './data-subject';
import { movementChangeResolvers } from './changes';
import { mergeResolvers } from '../kit/resolvers';
import { seedDevelopment, seedReference } from './seed';
import { movementRetention } from './retention';

/** Movement declarations: owns `MovementDeclaration`, extends `Citizen` with its movements. */
export const movementModule: SubgraphModule = {
  name: 'movement',
  entities: movementEntities,
  migrations: movementMigrations,
  resolvers: mergeResolvers(movementResolvers, movementDataSubjectResolvers, movementChangeResolvers),
  seedReference,
  seedDevelopment,
  retention: movementRetention,
};
