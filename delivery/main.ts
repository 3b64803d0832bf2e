import { readFileSync } from 'node:fs';
import { Pool } from 'pg';
import { InternalSigningKeys } from '../gateway/internal-keys';
import { PrincipalResolver } from '../gateway/principals';
import { ConfigError } from '../subgraphs/kit/config';
import { createLogger, type Logger } from '../subgraphs/kit/logger';
import { SUBGRAPHS, type SubgraphName } from '../subgraphs/kit/module';
import { schemaFile } from '../subgraphs/kit/paths';
import { loadSecretKeyRingFile, parseSecretKeyRing, type SecretKeyRing } from '../subgraphs/kit/secrets';
import { loadDeliveryConfig, type DeliveryConfig } from './config';
import { GraphFeedRelay } from './relay';
import { createSubgraphSelector, type SubgraphSelector } from './selection';
import { DeliveryWorker } from './worker';

/** The delivery worker's own process (`npm run delivery`; `npm start` runs it beside the subgraphs). */

const SECRETS_RELOAD_MS = 10_000;

/** The key ring, re-read from its file now and then so a key added by a rotation is picked up. */
async function secretKeyRing(cfg: DeliveryConfig, log: Logger): Promise<() => SecretKeyRing> {
  const source = cfg.secretsKey;
  if (source.kind === 'inline') {
    const ring = parseSecretKeyRing(source.value);
    return () => ring;
  }
  let ring = await loadSecretKeyRingFile(source.path, source.createIfMissing);
  setInterval(() => {
    loadSecretKeyRingFile(source.path, false).then(
      (next) => (ring = next),
      (e: unknown) => log.warn({ reason: (e as Error).message }, 'secrets key ring unreadable; keeping the last one'),
    );
  }, SECRETS_RELOAD_MS).unref();
  return () => ring;
}

/** One selector per subgraph, from its SDL and the composed supergraph (the rules both enforce). */
function selectors(): Record<SubgraphName, SubgraphSelector> {
  const supergraph = readFileSync(schemaFile('supergraph.graphql'), 'utf8');
  return Object.fromEntries(
    SUBGRAPHS.map((n) => [n, createSubgraphSelector(readFileSync(schemaFile(`${n}.graphql`), 'utf8'), supergraph)]),
  ) as Record<SubgraphName, SubgraphSelector>;
}

async function main(): Promise<void> {
  let cfg: DeliveryConfig;
  try {
    cfg = loadDeliveryConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`delivery: configuration error: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const log = createLogger('delivery', cfg.logLevel);
  const keys = await InternalSigningKeys.open({ ...cfg.internalKeys, logger: log });
  const secrets = await secretKeyRing(cfg, log);
  const pool = new Pool({ connectionString: cfg.databaseUrl, max: cfg.poolSize, application_name: 'delivery-worker' });
  pool.on('error', (e) => log.warn({ reason: e.message }, 'idle database connection failed'));
  const relay = new GraphFeedRelay({
    subgraphUrls: cfg.subgraphUrls,
    selectors: selectors(),
    signingKey: () => keys.current(),
  });
  const worker = new DeliveryWorker({
    pool,
    relay,
    principals: new PrincipalResolver({
      organisationsUrl: () => cfg.subgraphUrls.organisations,
      signingKey: () => keys.current(),
      cacheMs: cfg.principalCacheMs,
      timeoutMs: cfg.policy.requestTimeoutMs,
    }),
    secrets,
    allowList: cfg.webhookAllowList,
    policy: cfg.policy,
    logger: log,
  });
  worker.start();
  log.info(
    { feeds: [...relay.feeds().keys()], concurrency: cfg.policy.concurrency, maxFailures: cfg.policy.maxFailures },
    'delivery worker running',
  );

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return; // Ctrl-C reaches every process of the group, then the launcher's SIGTERM
    shuttingDown = true;
    log.info({ signal }, 'shutting down');
    // running batches finish or are aborted; either way their cursor moves only after a 2xx
    await worker.stop(cfg.shutdownGraceMs);
    keys.stop();
    await pool.end();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

void main();
