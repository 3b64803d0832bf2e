import { ConfigError, EnvReader, type Env, type Mode } from './config';
import { DEFAULT_PORTS, type SubgraphName } from './module';
import { localDir } from './paths';
import { parsePseudonymKey } from './pseudonym';
import { parseSecretKeyRing } from './secrets';
import { EMPTY_ALLOW_LIST, parseWebhookAllowList, type WebhookAllowList } from './ssrf';
import { DEFAULT_SMALL_COUNT_THRESHOLD } from './small-counts';
import { readRetentionSettings, type RetentionSettings } from './retention';

export interface SubgraphConfig {
  name: SubgraphName;
  mode: Mode;
  host: string;
  port: number;
  /** The serving connection: the application role (neither owner nor superuser). */
  databaseUrl: string;
  /** The owner's connection, for migrations, seeds and grants; defaults to `databaseUrl`. */
  migrationDatabaseUrl: string;
  /** When set, the owner grants this role its privileges at start-up (kit/audit.ts). */
  appDbRole: string | undefined;
  poolSize: number;
  logLevel: string;
  /** Where the gateway's public keys for internal tokens come from. */
  internalJwks: { kind: 'file'; path: string } | { kind: 'url'; url: string };
  seedDevelopmentData: boolean;
  /**
   * The pseudonymisation key ring (the same in every subgraph): inline, or a file; one or more
   * `<version>:<base64>` keys, oldest first (kit/pseudonym.ts, docs/KEYS.md).
   */
  pseudonymKey: { kind: 'inline'; value: string } | { kind: 'file'; path: string; createIfMissing: boolean };
  shutdownGraceMs: number;
  smallCountThreshold: number;
  /**
   * Organisations only (undefined elsewhere): the key ring that encrypts secrets at rest, such as
   * webhook signing secrets (kit/secrets.ts); inline (`SECRETS_KEY`) or a file (`SECRETS_KEY_FILE`).
   */
  secretsKey?: { kind: 'inline'; value: string } | { kind: 'file'; path: string; createIfMissing: boolean };
  /** Hosts and CIDRs webhooks may reach despite the SSRF rule (`WEBHOOK_ALLOWED_TARGETS`, kit/ssrf.ts). */
  webhookAllowList: WebhookAllowList;
  /** RETENTION_INTERVAL_MS (0 = off), RETENTION_BATCH_SIZE, RETENTION_<PERIOD>_DAYS (kit/retention.ts). */
  retention: RetentionSettings;
  /**
   * Benchmarks only (`npm run bench`, docs/PERFORMANCE.md): with BENCH_MODE=1, this one long-lived
   * internal token (BENCH_FIXED_INTERNAL_TOKEN, still signed by a key of the internal JWKS) is
   * accepted, so gateways that cannot sign our tokens can be measured. Refused in production.
   */
  benchFixedInternalToken: string | undefined;
}

function benchFixedInternalToken(r: EnvReader, mode: Mode): string | undefined {
  const benchMode = r.bool('BENCH_MODE', false);
  const token = r.optional('BENCH_FIXED_INTERNAL_TOKEN');
  if (benchMode && mode === 'production') throw new ConfigError('BENCH_MODE cannot be used in production');
  if (token !== undefined && !benchMode) {
    throw new ConfigError('BENCH_FIXED_INTERNAL_TOKEN needs BENCH_MODE=1 (benchmarks only)');
  }
  if (benchMode && token === undefined) throw new ConfigError('BENCH_MODE needs BENCH_FIXED_INTERNAL_TOKEN');
  return token;
}

function secretsKeyConfig(r: EnvReader, mode: Mode): SubgraphConfig['secretsKey'] {
  const inline = r.optional('SECRETS_KEY');
  const file = r.optional('SECRETS_KEY_FILE');
  if (inline && file) throw new ConfigError('set SECRETS_KEY or SECRETS_KEY_FILE, not both');
  if (mode === 'production' && !inline && !file) {
    throw new ConfigError('SECRETS_KEY or SECRETS_KEY_FILE is required in production');
  }
  if (inline) {
    try {
      parseSecretKeyRing(inline);
    } catch (e) {
      throw new ConfigError(`SECRETS_KEY: ${(e as Error).message}`);
    }
    return { kind: 'inline', value: inline };
  }
  return {
    kind: 'file',
    path: file ?? localDir('keys', 'secrets.key'),
    createIfMissing: mode !== 'production' && !file,
  };
}

function webhookAllowList(r: EnvReader): WebhookAllowList {
  const raw = r.optional('WEBHOOK_ALLOWED_TARGETS');
  if (raw === undefined) return EMPTY_ALLOW_LIST;
  try {
    return parseWebhookAllowList(raw);
  } catch (e) {
    throw new ConfigError(`WEBHOOK_ALLOWED_TARGETS: ${(e as Error).message}`);
  }
}

/** Reads one subgraph's configuration; the only place a subgraph process reads its environment. */
export function loadSubgraphConfig(name: SubgraphName, env: Env): SubgraphConfig {
  const r = new EnvReader(env);
  const mode = r.mode();
  const jwksUrl = r.optional('INTERNAL_JWKS_URL');
  const jwksFile = r.optional('INTERNAL_JWKS_FILE');
  if (jwksUrl && jwksFile) throw new ConfigError('set INTERNAL_JWKS_URL or INTERNAL_JWKS_FILE, not both');
  if (mode === 'production' && !jwksUrl && !jwksFile) {
    throw new ConfigError('INTERNAL_JWKS_URL or INTERNAL_JWKS_FILE is required in production');
  }
  const seedDevelopmentData = r.bool('SEED_DEVELOPMENT_DATA', mode === 'development');
  if (mode === 'production' && seedDevelopmentData) {
    throw new ConfigError('SEED_DEVELOPMENT_DATA must be off in production');
  }
  const inlineKey = r.optional('PSEUDONYM_KEY');
  const keyFile = r.optional('PSEUDONYM_KEY_FILE');
  if (inlineKey && keyFile) throw new ConfigError('set PSEUDONYM_KEY or PSEUDONYM_KEY_FILE, not both');
  if (mode === 'production' && !inlineKey && !keyFile) {
    throw new ConfigError('PSEUDONYM_KEY or PSEUDONYM_KEY_FILE is required in production');
  }
  if (inlineKey) {
    try {
      parsePseudonymKey(inlineKey);
    } catch (e) {
      throw new ConfigError(`PSEUDONYM_KEY: ${(e as Error).message}`);
    }
  }
  const databaseUrl = r.url('DATABASE_URL');
  const appDbRole = r.optional('APP_DB_ROLE');
  if (appDbRole !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(appDbRole)) {
    throw new ConfigError('APP_DB_ROLE must be a plain role name');
  }
  return {
    name,
    mode,
    host: r.string('HOST', '127.0.0.1'),
    port: r.int('PORT', DEFAULT_PORTS[name], 0, 65_535),
    databaseUrl,
    migrationDatabaseUrl: r.url('MIGRATION_DATABASE_URL', databaseUrl),
    appDbRole,
    poolSize: r.int('DB_POOL_SIZE', 10, 1, 200),
    logLevel: r.logLevel(),
    internalJwks: jwksUrl
      ? { kind: 'url', url: r.url('INTERNAL_JWKS_URL') }
      : { kind: 'file', path: jwksFile ?? localDir('keys', 'internal-jwks.json') },
    seedDevelopmentData,
    shutdownGraceMs: r.int('SHUTDOWN_GRACE_MS', 10_000, 0, 120_000),
    smallCountThreshold: r.int('SMALL_COUNT_THRESHOLD', DEFAULT_SMALL_COUNT_THRESHOLD, 1, 1000),
    secretsKey: name === 'organisations' ? secretsKeyConfig(r, mode) : undefined,
    webhookAllowList: name === 'organisations' ? webhookAllowList(r) : EMPTY_ALLOW_LIST,
    retention: readRetentionSettings(r),
    benchFixedInternalToken: benchFixedInternalToken(r, mode),
    pseudonymKey: inlineKey
      ? { kind: 'inline', value: inlineKey }
      : {
          kind: 'file',
          path: keyFile ?? localDir('keys', 'pseudonym.key'),
          createIfMissing: mode !== 'production' && !keyFile,
        },
  };
}
