import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import { grantApplicationRole } from './audit';
import { ConfigError } from './config';
import { connectWithRetry, createDataSource, migrate } from './db';
import { exitGracefullyOnSignals, listen } from './http';
import { createInternalTokenVerifier } from './internal-token';
import { fileJwks } from './keys';
import { createLogger } from './logger';
import type { SubgraphModule } from './module';
import {
  DEFAULT_PARTITIONS_AHEAD,
  ensurePartitionWindow,
  startPartitionKeeper,
  type PartitionKeeper,
} from './partitions';
import { createSubgraphServer } from './server';
import { loadPseudonymKeyFile, parsePseudonymKey } from './pseudonym';
import { loadSecretKeyRingFile, parseSecretKeyRing, type SecretKeyRing } from './secrets';
import { loadSubgraphConfig, type SubgraphConfig } from './subgraph-config';

function keyResolver(cfg: SubgraphConfig): JWTVerifyGetKey {
  return cfg.internalJwks.kind === 'url'
    ? createRemoteJWKSet(new URL(cfg.internalJwks.url), { cooldownDuration: 5_000 })
    : fileJwks(cfg.internalJwks.path);
}

/**
 * Runs one subgraph as its own process: listens first (so /healthz answers and /readyz says 503),
 * then connects to its database as the owner (MIGRATION_DATABASE_URL) with backoff, migrates,
 * grants the application role (APP_DB_ROLE) its privileges, makes the partitions of its
 * time-partitioned tables (retained days to PARTITIONS_AHEAD days ahead; then daily), seeds, and
 * serves through its own connection (DATABASE_URL: the application role, neither owner nor superuser). SIGTERM/SIGINT
 * drain and exit 0; a bad configuration exits 1 at once.
 */
export async function runSubgraph(module: SubgraphModule, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let cfg: SubgraphConfig;
  try {
    cfg = loadSubgraphConfig(module.name, env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${module.name}: configuration error: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const log = createLogger(module.name, cfg.logLevel);
  const dataSource = createDataSource({
    url: cfg.databaseUrl,
    entities: module.entities,
    migrations: module.migrations,
    poolSize: cfg.poolSize,
    applicationName: `subgraph-${module.name}`,
  });
  const pseudonymKey =
    cfg.pseudonymKey.kind === 'inline'
      ? parsePseudonymKey(cfg.pseudonymKey.value)
      : await loadPseudonymKeyFile(cfg.pseudonymKey.path, cfg.pseudonymKey.createIfMissing);
  let secretKeyRing: SecretKeyRing | undefined;
  if (cfg.secretsKey?.kind === 'inline') secretKeyRing = parseSecretKeyRing(cfg.secretsKey.value);
  else if (cfg.secretsKey)
    secretKeyRing = await loadSecretKeyRingFile(cfg.secretsKey.path, cfg.secretsKey.createIfMissing);
  const server = await createSubgraphServer({
    name: module.name,
    resolvers: module.resolvers,
    dataSource,
    verifyToken: createInternalTokenVerifier(keyResolver(cfg), module.name, {
      benchFixedToken: cfg.benchFixedInternalToken,
    }),
    logger: log,
    pseudonymKey,
    smallCountThreshold: cfg.smallCountThreshold,
    secretKeyRing,
    webhookAllowList: cfg.webhookAllowList,
    retention: { ...cfg.retention, rules: module.retention ?? [] },
  });
  if (cfg.benchFixedInternalToken) log.warn('BENCH_MODE: accepting the fixed benchmark internal token');
  const listening = await listen(server.handler, cfg.port, cfg.host);
  log.info({ url: `${listening.url}/graphql` }, 'listening; connecting to the database');

  // time-partitioned tables (kit/partitions.ts): a partition for each period (day or week) from the
  // retention cutoff (and the rule's lag) to PARTITIONS_AHEAD days ahead, made at start-up and daily
  const partitioned = (module.retention ?? []).flatMap((r) =>
    r.partitions
      ? [
          {
            spec: r.partitions,
            window: {
              aheadDays: cfg.retention.partitionsAhead ?? DEFAULT_PARTITIONS_AHEAD,
              behindDays: cfg.retention.days[r.period] + (r.partitionLagDays ?? 0),
            },
          },
        ]
      : [],
  );
  let partitionKeeper: PartitionKeeper | undefined;

  exitGracefullyOnSignals({
    log,
    listening,
    graceMs: cfg.shutdownGraceMs,
    drain: () => server.drain(),
    stop: async () => {
      await server.stop();
      await partitionKeeper?.stop();
      // a query still stuck in the database after the grace period must not hold the exit
      if (dataSource.isInitialized) {
        await Promise.race([dataSource.destroy().catch(() => undefined), new Promise((r) => setTimeout(r, 2_000))]);
      }
    },
  });

  const separateOwner = cfg.migrationDatabaseUrl !== cfg.databaseUrl;
  const ownerDs = separateOwner
    ? createDataSource({
        url: cfg.migrationDatabaseUrl,
        entities: module.entities,
        migrations: module.migrations,
        poolSize: 2,
        applicationName: `subgraph-${module.name}-migrate`,
      })
    : dataSource;
  await connectWithRetry(ownerDs, log);
  try {
    const applied = await migrate(ownerDs);
    if (applied.length) log.info({ migrations: applied }, 'migrations applied');
    if (cfg.appDbRole) await grantApplicationRole(ownerDs, cfg.appDbRole);
    for (const t of partitioned) await ensurePartitionWindow(ownerDs, t.spec, t.window, new Date(), log);
    await module.seedReference?.(ownerDs, log);
    if (cfg.seedDevelopmentData) await module.seedDevelopment?.(ownerDs, log, { pseudonymKey });
  } finally {
    if (separateOwner && ownerDs.isInitialized) await ownerDs.destroy();
  }
  if (separateOwner) await connectWithRetry(dataSource, log);
  if (partitioned.length) {
    partitionKeeper = startPartitionKeeper(dataSource, partitioned, { log });
  }
  server.markReady();
  log.info('ready');
}
