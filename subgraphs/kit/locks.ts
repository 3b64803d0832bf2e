/**
 * PostgreSQL advisory lock keys, in one place so two features never share one by accident.
 * Arbitrary but fixed: serialises schema changes (migrations, role grants) when several replicas
 * start at once.
 */
export const MIGRATION_LOCK = 7_230_451;

/** Serialises retention purges (kit/retention.ts) when several replicas of a subgraph run. */
export const RETENTION_LOCK = 7_230_452;

/** Serialises the creation of partitions (kit/partitions.ts) when several replicas keep them. */
export const PARTITION_LOCK = 7_230_453;

/**
 * With a device id's hash as the second key (`pg_advisory_xact_lock(DEVICE_LOCK, hashtext(id))`):
 * serialises one device's passage writes, so a device scan id is stored once across partitions.
 */
export const DEVICE_LOCK = 7_230_454;
