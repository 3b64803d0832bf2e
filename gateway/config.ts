import { DEFAULT_ENTITY_CACHE, type EntityCacheOptions } from './entity-fetch';
import { ConfigError, EnvReader, type Env, type Mode } from '../subgraphs/kit/config';
import { SUBGRAPHS, type SubgraphName } from '../subgraphs/kit/module';
import { localDir, schemaFile } from '../subgraphs/kit/paths';
import { DEFAULT_LIMITS, type OperationLimits } from './limits';
import type { IntrospectionPolicy } from './limits/introspection';
import { DEFAULT_RATE_LIMIT, type RateLimitSettings } from './limits/rate-limit';
import { DEV_AUDIENCE, DEV_ISSUER, devIssuerFiles } from './dev-issuer';

export type KeySource = { kind: 'file'; path: string } | { kind: 'url'; url: string };

export interface GatewayConfig {
  mode: Mode;
  host: string;
  port: number;
  logLevel: string;
  supergraphPath: string;
  supergraphPollMs: number;
  /** Per-subgraph routing URL overrides (SUBGRAPH_URL_<NAME>); others come from the supergraph. */
  subgraphUrls: Partial<Record<SubgraphName, string>>;
  auth: {
    issuer: string;
    audience: string;
    jwks: KeySource;
    clockToleranceSeconds: number;
    devIssuer: boolean;
  };
  internalKeys: {
    privateKeyPath: string;
    jwksPath: string;
    createIfMissing: boolean;
    /** How often the key files are checked for a rotated key. */
    pollMs: number;
  };
  principalCacheMs: number;
  /** `true` everyone, `'staff'` staff principals only (the production default), `false` nobody. */
  introspection: IntrospectionPolicy;
  landingPage: boolean;
  /** Operation limits (MAX_DEPTH, MAX_ALIASES, …; README "Operation limits"). */
  limits: OperationLimits;
  /** RATE_LIMIT_*: requests per principal and per client per window. */
  rateLimit: RateLimitSettings;
  /** TRUSTED_DOCUMENTS=enforce binds registered clients to their manifests (schema/operations). */
  trustedDocuments: { manifestsDir: string; enforce: boolean };
  shutdownGraceMs: number;
  /** Bound of one subgraph call (SUBGRAPH_TIMEOUT_MS), and per-subgraph overrides (SUBGRAPH_TIMEOUT_MS_<NAME>). */
  subgraphTimeoutMs: { default: number; bySubgraph: Partial<Record<SubgraphName, number>> };
  /** Identical queries in flight for the same caller share one subgraph call (SUBGRAPH_DEDUPE). */
  subgraphDedupe: boolean;
  /** Entities subgraphs mark cacheable, per caller (ENTITY_CACHE_SIZE, ENTITY_CACHE_MAX_AGE_SECONDS). */
  entityCache: EntityCacheOptions;
}

/** The gateway's one configuration module; refuses unsafe settings in production. */
export function loadGatewayConfig(env: Env): GatewayConfig {
  const r = new EnvReader(env);
  const mode = r.mode();
  const production = mode === 'production';
  const devIssuer = r.bool('AUTH_DEV_ISSUER', !production);
  if (production && devIssuer) throw new ConfigError('AUTH_DEV_ISSUER cannot be used in production');

  const jwksUrl = r.optional('AUTH_JWKS_URL');
  const jwksFile = r.optional('AUTH_JWKS_FILE');
  if (jwksUrl && jwksFile) throw new ConfigError('set AUTH_JWKS_URL or AUTH_JWKS_FILE, not both');
  let jwks: KeySource;
  if (jwksUrl) jwks = { kind: 'url', url: r.url('AUTH_JWKS_URL') };
  else if (jwksFile) jwks = { kind: 'file', path: jwksFile };
  else if (devIssuer) jwks = { kind: 'file', path: devIssuerFiles().jwks };
  else throw new ConfigError('AUTH_JWKS_URL or AUTH_JWKS_FILE is required');
  if (production && jwks.kind === 'url' && !jwks.url.startsWith('https://')) {
    throw new ConfigError('AUTH_JWKS_URL must use https in production');
  }

  const issuer = devIssuer ? r.string('AUTH_ISSUER', DEV_ISSUER) : r.string('AUTH_ISSUER');
  const audience = devIssuer ? r.string('AUTH_AUDIENCE', DEV_AUDIENCE) : r.string('AUTH_AUDIENCE');
  if (production && issuer === DEV_ISSUER)
    throw new ConfigError('the development issuer cannot be trusted in production');

  const introspection = introspectionPolicy(r, production);
  const landingPage = r.bool('LANDING_PAGE', !production);
  if (production && landingPage) throw new ConfigError('LANDING_PAGE must be off in production');

  const subgraphUrls: Partial<Record<SubgraphName, string>> = {};
  for (const name of SUBGRAPHS) {
    const key = `SUBGRAPH_URL_${name.toUpperCase()}`;
    if (r.optional(key)) subgraphUrls[name] = r.url(key);
  }

  const privateKeyPath = r.string(
    'INTERNAL_SIGNING_KEY_FILE',
    production ? undefined : localDir('keys', 'internal-signing.private.json'),
  );
  return {
    mode,
    host: r.string('HOST', '127.0.0.1'),
    port: r.int('PORT', 4000, 0, 65_535),
    logLevel: r.logLevel(),
    supergraphPath: r.string('SUPERGRAPH_FILE', schemaFile('supergraph.graphql')),
    supergraphPollMs: r.int('SUPERGRAPH_POLL_MS', 1_000, 50, 600_000),
    subgraphUrls,
    auth: {
      issuer,
      audience,
      jwks,
      clockToleranceSeconds: r.int('AUTH_CLOCK_TOLERANCE_SECONDS', 30, 0, 300),
      devIssuer,
    },
    internalKeys: {
      privateKeyPath,
      jwksPath: r.string('INTERNAL_JWKS_FILE', localDir('keys', 'internal-jwks.json')),
      createIfMissing: !production,
      pollMs: r.int('INTERNAL_SIGNING_KEY_POLL_MS', 1_000, 50, 600_000),
    },
    principalCacheMs: r.int('PRINCIPAL_CACHE_MS', 30_000, 0, 600_000),
    introspection,
    landingPage,
    limits: {
      maxDepth: r.int('MAX_DEPTH', DEFAULT_LIMITS.maxDepth, 1, 100),
      maxAliases: r.int('MAX_ALIASES', DEFAULT_LIMITS.maxAliases, 0, 1_000),
      maxDirectives: r.int('MAX_DIRECTIVES', DEFAULT_LIMITS.maxDirectives, 0, 1_000),
      maxTokens: r.int('MAX_TOKENS', DEFAULT_LIMITS.maxTokens, 100, 1_000_000),
      maxCost: r.int('MAX_COST', DEFAULT_LIMITS.maxCost, 1, 100_000_000),
      defaultListSize: r.int('COST_DEFAULT_LIST_SIZE', DEFAULT_LIMITS.defaultListSize, 1, 10_000),
      maxBodyBytes: r.int('MAX_BODY_BYTES', DEFAULT_LIMITS.maxBodyBytes, 1_024, 100 * 1_048_576),
    },
    rateLimit: {
      enabled: r.bool('RATE_LIMIT_ENABLED', DEFAULT_RATE_LIMIT.enabled),
      principalPoints: r.int('RATE_LIMIT_PER_PRINCIPAL', DEFAULT_RATE_LIMIT.principalPoints, 1, 10_000_000),
      clientPoints: r.int('RATE_LIMIT_PER_CLIENT', DEFAULT_RATE_LIMIT.clientPoints, 1, 10_000_000),
      windowSeconds: r.int('RATE_LIMIT_WINDOW_SECONDS', DEFAULT_RATE_LIMIT.windowSeconds, 1, 86_400),
    },
    trustedDocuments: {
      manifestsDir: r.string('OPERATION_MANIFESTS_DIR', schemaFile('operations')),
      enforce: r.oneOf('TRUSTED_DOCUMENTS', ['enforce', 'off'] as const, production ? 'enforce' : 'off') === 'enforce',
    },
    shutdownGraceMs: r.int('SHUTDOWN_GRACE_MS', 10_000, 0, 120_000),
    subgraphTimeoutMs: subgraphTimeouts(r),
    subgraphDedupe: r.bool('SUBGRAPH_DEDUPE', true),
    entityCache: {
      maxEntries: r.int('ENTITY_CACHE_SIZE', DEFAULT_ENTITY_CACHE.maxEntries, 0, 1_000_000),
      maxAgeSeconds: r.int('ENTITY_CACHE_MAX_AGE_SECONDS', DEFAULT_ENTITY_CACHE.maxAgeSeconds, 0, 86_400),
    },
  };
}

/** INTROSPECTION: true/on, false/off, or `staff`; in production only off or staff (the default). */
function introspectionPolicy(r: EnvReader, production: boolean): IntrospectionPolicy {
  const raw = r.optional('INTROSPECTION');
  if (raw === undefined) return production ? 'staff' : true;
  if (raw.toLowerCase() === 'staff') return 'staff';
  const on = r.bool('INTROSPECTION', false);
  if (production && on) {
    throw new ConfigError('INTROSPECTION must be off in production (or `staff`: staff principals only)');
  }
  return on;
}

function subgraphTimeouts(r: EnvReader): GatewayConfig['subgraphTimeoutMs'] {
  const fallback = r.int('SUBGRAPH_TIMEOUT_MS', 10_000, 100, 300_000);
  const bySubgraph: Partial<Record<SubgraphName, number>> = {};
  for (const name of SUBGRAPHS) {
    const key = `SUBGRAPH_TIMEOUT_MS_${name.toUpperCase()}`;
    if (r.optional(key) !== undefined) bySubgraph[name] = r.int(key, fallback, 100, 300_000);
  }
  return { default: fallback, bySubgraph };
}
