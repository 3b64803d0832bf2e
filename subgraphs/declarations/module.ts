import type { SubgraphModule } from '../kit/module';
import { declarationsMigrations } from '../../migrations/declarations';
import { declarationsEntities } from './entities';
import { declarationsResolvers } from './resolvers';
import { declarationsDataSubjectResolvers } from './data-subject';
import { declarationsChangeResolvers } from './changes';
import { mergeResolvers } from '../kit/resolvers';
import { seedDevelopment, seedReference } from './seed';
import { declarationsRetention } from './retention';

/**
 * Health declarations: owns `Citizen` (by pseudonym, with the identity document it is computed
 * from), versioned `HealthDeclaration`s with their identity snapshots, and monitoring periods.
 */
export const declarationsModule: SubgraphModule = {
  name: 'declarations',
  entities: declarationsEntities,
  migrations: declarationsMigrations,
  resolvers: mergeResolvers(declarationsResolvers, declarationsDataSubjectResolvers, declarationsChangeResolvers),
  seedReference,
  seedDevelopment,
  retention: declarationsRetention,
};
