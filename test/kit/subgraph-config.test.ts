import { ConfigError } from '../../subgraphs/kit/config';
import { loadSubgraphConfig } from '../../subgraphs/kit/subgraph-config';

const APP = 'postgres://epidemic_app:pw@127.0.0.1:5432/epidemic_movement';
const OWNER = 'postgres://postgres:pw@127.0.0.1:5432/epidemic_movement';

test('migrations run on MIGRATION_DATABASE_URL (the owner), serving on DATABASE_URL (the application role)', () => {
  const cfg = loadSubgraphConfig('movement', {
    DATABASE_URL: APP,
    MIGRATION_DATABASE_URL: OWNER,
    APP_DB_ROLE: 'epidemic_app',
  });
  expect(cfg).toMatchObject({ databaseUrl: APP, migrationDatabaseUrl: OWNER, appDbRole: 'epidemic_app' });
});

test('a simple set-up migrates and serves on the one DATABASE_URL and grants nothing', () => {
  const cfg = loadSubgraphConfig('movement', { DATABASE_URL: OWNER });
  expect(cfg).toMatchObject({ databaseUrl: OWNER, migrationDatabaseUrl: OWNER, appDbRole: undefined });
});

test.each([
  [{ DATABASE_URL: APP, MIGRATION_DATABASE_URL: 'not a url' }, 'MIGRATION_DATABASE_URL must be a URL'],
  [{ DATABASE_URL: APP, APP_DB_ROLE: 'app; DROP TABLE x' }, 'APP_DB_ROLE must be a plain role name'],
])('%j is refused', (env, message) => {
  expect(() => loadSubgraphConfig('movement', env)).toThrow(new ConfigError(message));
});
