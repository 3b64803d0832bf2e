/**
 * PostgreSQL advisory lock keys, in one place so two features never share one by accident.
 * Arbitrary but fixed: serialises schema changes (migrations, role grants) when several replicas
 * start at once.
 */
export const MIGRATION_LOCK = 7_230_451;

/** Serialises retention purges (kit/retention.ts) when several replicas of a subgraph run. */
export const RETENTION_LOCK = 7_230_452;
