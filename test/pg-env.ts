import { withCredentials } from '../scripts/postgres-cluster';

export const TEMPLATE_PREFIX = 'tpl_';

/** The role the subgraphs serve with in tests (as `npm start` does): neither owner nor superuser. */
export const TEST_APP_ROLE = 'epidemic_app';

/** The test cluster's admin URL, set by the global setup. */
export function adminUrl(): string {
  const url = process.env.TEST_PG_ADMIN_URL;
  if (!url)
    throw new Error('TEST_PG_ADMIN_URL is not set: run the tests through jest (global setup starts PostgreSQL)');
  return url;
}

/** A database of the test cluster, as the owner (the admin superuser). */
export function databaseUrl(database: string): string {
  const u = new URL(adminUrl());
  u.pathname = `/${database}`;
  return u.toString();
}

/** A database of the test cluster, as the application role. */
export function appDatabaseUrl(database: string): string {
  const password = process.env.TEST_PG_APP_PASSWORD;
  if (!password) throw new Error('TEST_PG_APP_PASSWORD is not set: run the tests through jest');
  return withCredentials(databaseUrl(database), TEST_APP_ROLE, password);
}
