import { ConfigError, EnvReader, type Env, type Mode } from '../subgraphs/kit/config';
import { SUBGRAPHS, type SubgraphName } from '../subgraphs/kit/module';
import { localDir, schemaFile } from '../subgraphs/kit/paths';
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
  internalKeys: { privateKeyPath: string; jwksPath: string; createIfMissing: boolean };
  principalCacheMs: number;
  introspection: boolean;
  landingPage: boolean;
  shutdownGraceMs: number;
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

  const introspection = r.bool('INTROSPECTION', !production);
  if (production && introspection) throw new ConfigError('INTROSPECTION must be off in production');
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
    },
    principalCacheMs: r.int('PRINCIPAL_CACHE_MS', 30_000, 0, 600_000),
    introspection,
    landingPage,
    shutdownGraceMs: r.int('SHUTDOWN_GRACE_MS', 10_000, 0, 120_000),
  };
}
