import type { SubgraphModule } from '../kit/module';
import { ORGANISATIONS_MIGRATIONS } from '../../migrations/organisations';
import { ORGANISATIONS_ENTITIES } from './entities';
import { mergeResolvers } from '../kit/resolvers';
import { organisationsChangeResolvers } from './changes';
import { resolvers } from './resolvers';
import { seedDevelopment, seedReference } from './seed';

/**
 * Organisations, centre memberships, users, role grants, the administrative-unit lists, and the
 * consumers of the change feeds.
 */
export const organisationsModule: SubgraphModule = {
  name: 'organisations',
  entities: ORGANISATIONS_ENTITIES,
  migrations: ORGANISATIONS_MIGRATIONS,
  resolvers: mergeResolvers(resolvers, organisationsChangeResolvers),
  seedReference,
  seedDevelopment,
};
