import type { SubgraphModule } from '../kit/module';
import { declarationsMigrations } from '../../migrations/declarations';
import { declarationsEntities } from './entities';
import { declarationsResolvers } from './resolvers';

/** Health declarations: owns `Citizen` (by pseudonym) and `HealthDeclaration`. */
export const declarationsModule: SubgraphModule = {
  name: 'declarations',
  entities: declarationsEntities,
  migrations: declarationsMigrations,
  resolvers: declarationsResolvers,
};
