import { ConfigError, EnvReader, type Env, type Mode } from '../subgraphs/kit/config';
import { DEFAULT_PORTS, SUBGRAPHS, type SubgraphName } from '../subgraphs/kit/module';
import { localDir } from '../subgraphs/kit/paths';
import { parseSecretKeyRing } from '../subgraphs/kit/secrets';
import { parseWebhookAllowList, type WebhookAllowList } from '../subgraphs/kit/ssrf';

/** How each (consumer, feed) is paced: batches, timeouts, retries. */
export interface DeliveryPolicy {
  /** Events per webhook call (one feed page). */
  batchSize: number;
  /** How many (consumer, feed) deliveries run at once. */
  concurrency: number;
  /** Per HTTP call: the feed read and the webhook POST each. */
  requestTimeoutMs: number;
  /** How often due deliveries are looked for. */
  pollMs: number;
  /** After a delivery found nothing new: when to look at that feed again. */
  idleMs: number;
  /** First retry after a failure; doubles per failure (with jitter) up to `backoffMaxMs`. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Consecutive failures after which a delivery is moved to DEAD_LETTER. */
  maxFailures: number;
  /**
   * How long a claimed delivery stays reserved for the worker that claimed it (renewed per batch):
   * if the worker dies, another (or its restart) takes the delivery over after this.
   */
  leaseMs: number;
  /** At most this many batches per claim, so one busy consumer yields its slot now and then. */
  batchesPerClaim: number;
}

export interface DeliveryConfig {
  mode: Mode;
  logLevel: string;
  /** The organisations database (consumers and delivery state), as the application role. */
  databaseUrl: string;
  poolSize: number;
  /** Each subgraph's GraphQL URL: the worker reads the feeds and resolves principals directly. */
  subgraphUrls: Record<SubgraphName, string>;
  /** The gateway's internal signing key (followed on disk, so rotations apply without a restart). */
  internalKeys: { privateKeyPath: string; jwksPath: string; pollMs: number };
  /** The key ring the consumers' signing secrets are encrypted under (kit/secrets.ts). */
  secretsKey: { kind: 'inline'; value: string } | { kind: 'file'; path: string; createIfMissing: boolean };
  /** Webhook targets allowed despite the SSRF rules (kit/ssrf.ts), e.g. a receiver on a private network. */
  webhookAllowList: WebhookAllowList;
  principalCacheMs: number;
  policy: DeliveryPolicy;
  shutdownGraceMs: number;
}

/** The delivery worker's one configuration module (the only place it reads its environment). */
export function loadDeliveryConfig(env: Env): DeliveryConfig {
  const r = new EnvReader(env);
  const mode = r.mode();
  const production = mode === 'production';

  const subgraphUrls = {} as Record<SubgraphName, string>;
  for (const name of SUBGRAPHS) {
    const key = `SUBGRAPH_URL_${name.toUpperCase()}`;
    if (production && !r.optional(key)) throw new ConfigError(`${key} is required in production`);
    subgraphUrls[name] = r.url(key, `http://127.0.0.1:${DEFAULT_PORTS[name]}/graphql`);
  }

  const inlineKey = r.optional('SECRETS_KEY');
  const keyFile = r.optional('SECRETS_KEY_FILE');
  if (inlineKey && keyFile) throw new ConfigError('set SECRETS_KEY or SECRETS_KEY_FILE, not both');
  if (production && !inlineKey && !keyFile) throw new ConfigError('SECRETS_KEY or SECRETS_KEY_FILE is required');
  if (inlineKey) {
    try {
      parseSecretKeyRing(inlineKey);
    } catch (e) {
      throw new ConfigError(`SECRETS_KEY: ${(e as Error).message}`);
    }
  }

  let webhookAllowList: WebhookAllowList;
  try {
    webhookAllowList = parseWebhookAllowList(r.optional('WEBHOOK_ALLOWED_TARGETS'));
  } catch (e) {
    throw new ConfigError(`WEBHOOK_ALLOWED_TARGETS: ${(e as Error).message}`);
  }

  const requestTimeoutMs = r.int('DELIVERY_TIMEOUT_MS', 10_000, 100, 120_000);
  const backoffBaseMs = r.int('DELIVERY_BACKOFF_BASE_MS', 5_000, 10, 3_600_000);
  const policy: DeliveryPolicy = {
    batchSize: r.int('DELIVERY_BATCH_SIZE', 100, 1, 200),
    concurrency: r.int('DELIVERY_CONCURRENCY', 8, 1, 256),
    requestTimeoutMs,
    pollMs: r.int('DELIVERY_POLL_MS', 1_000, 10, 600_000),
    idleMs: r.int('DELIVERY_IDLE_MS', 2_000, 10, 600_000),
    backoffBaseMs,
    backoffMaxMs: r.int('DELIVERY_BACKOFF_MAX_MS', 3_600_000, backoffBaseMs, 86_400_000),
    maxFailures: r.int('DELIVERY_MAX_FAILURES', 8, 1, 1_000),
    // a batch is one feed read and one POST: the lease must outlast both, or two workers could overlap
    leaseMs: r.int('DELIVERY_LEASE_MS', 60_000, 2 * requestTimeoutMs + 1_000, 3_600_000),
    batchesPerClaim: r.int('DELIVERY_BATCHES_PER_CLAIM', 10, 1, 1_000),
  };

  return {
    mode,
    logLevel: r.logLevel(),
    databaseUrl: r.url('DATABASE_URL'),
    poolSize: r.int('DB_POOL_SIZE', 5, 1, 100),
    subgraphUrls,
    internalKeys: {
      privateKeyPath: r.string(
        'INTERNAL_SIGNING_KEY_FILE',
        production ? undefined : localDir('keys', 'internal-signing.private.json'),
      ),
      jwksPath: r.string('INTERNAL_JWKS_FILE', localDir('keys', 'internal-jwks.json')),
      pollMs: r.int('INTERNAL_SIGNING_KEY_POLL_MS', 1_000, 50, 600_000),
    },
    secretsKey: inlineKey
      ? { kind: 'inline', value: inlineKey }
      : { kind: 'file', path: keyFile ?? localDir('keys', 'secrets.key'), createIfMissing: !production && !keyFile },
    webhookAllowList,
    principalCacheMs: r.int('PRINCIPAL_CACHE_MS', 30_000, 0, 600_000),
    policy,
    shutdownGraceMs: r.int('SHUTDOWN_GRACE_MS', 10_000, 0, 120_000),
  };
}
