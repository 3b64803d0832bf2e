import type { SubgraphModule } from '../kit/module';
import { ORGANISATIONS_MIGRATIONS } from '../../migrations/organisations';
import { ORGANISATIONS_ENTITIES } from './entities';
import { resolvers } from './resolvers';
import { seedDevelopment, seedReference } from './seed';

/** Organisations, centre memberships, users, role grants and the administrative-unit lists. */
export const organisationsModule: SubgraphModule = {
  name: 'organisations',
  entities: ORGANISATIONS_ENTITIES,
  migrations: ORGANISATIONS_MIGRATIONS,
  resolvers,
  seedReference,
  seedDevelopment,
};
