import { ConfigError } from '../subgraphs/kit/config';
import { loadOrCreateKeyFiles } from '../subgraphs/kit/keys';
import { createLogger, type Logger } from '../subgraphs/kit/logger';
import { exitGracefullyOnSignals, listen } from '../subgraphs/kit/http';
import { createAccessTokenVerifier, keyResolver } from './auth';
import { loadGatewayConfig, type GatewayConfig } from './config';
import { devIssuerFiles, loadDevIssuerKey } from './dev-issuer';
import { InternalSigningKeys } from './internal-keys';
import { createGatewayServer } from './server';
import { SubgraphTransport } from './subgraph-source';

/** The internal signing key, followed on disk: `npm run rotate-keys` takes effect without a restart. */
async function internalKeys(cfg: GatewayConfig, logger: Logger): Promise<InternalSigningKeys> {
  const { privateKeyPath, jwksPath, createIfMissing, pollMs } = cfg.internalKeys;
  if (createIfMissing) await loadOrCreateKeyFiles(privateKeyPath, jwksPath);
  return InternalSigningKeys.open({ privateKeyPath, jwksPath, pollMs, logger });
}

async function main(): Promise<void> {
  let cfg: GatewayConfig;
  try {
    cfg = loadGatewayConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`gateway: configuration error: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const log = createLogger('gateway', cfg.logLevel);
  const { jwks } = cfg.auth;
  if (cfg.auth.devIssuer && jwks.kind === 'file' && jwks.path === devIssuerFiles().jwks) {
    await loadDevIssuerKey(); // creates the development key pair on first start
  }
  const keys = await internalKeys(cfg, log);
  const transport = new SubgraphTransport({
    timeoutMs: cfg.subgraphTimeoutMs.default,
    timeoutMsBySubgraph: cfg.subgraphTimeoutMs.bySubgraph,
    dedupe: cfg.subgraphDedupe,
    entityCache: cfg.entityCache,
    logger: log,
  });
  const server = await createGatewayServer({
    mode: cfg.mode,
    supergraphPath: cfg.supergraphPath,
    supergraphPollMs: cfg.supergraphPollMs,
    subgraphUrls: cfg.subgraphUrls,
    introspection: cfg.introspection,
    landingPage: cfg.landingPage,
    limits: cfg.limits,
    rateLimit: cfg.rateLimit,
    trustedDocuments: cfg.trustedDocuments,
    principalCacheMs: cfg.principalCacheMs,
    verifyAccessToken: createAccessTokenVerifier({
      keys: keyResolver(cfg.auth.jwks),
      issuer: cfg.auth.issuer,
      audience: cfg.auth.audience,
      clockToleranceSeconds: cfg.auth.clockToleranceSeconds,
    }),
    internalKey: () => keys.current(),
    internalJwks: () => keys.jwks(),
    logger: log,
    subgraphTransport: transport,
  });
  const listening = await listen(server.handler, cfg.port, cfg.host);
  log.info({ url: `${listening.url}/graphql`, devIssuer: cfg.auth.devIssuer }, 'gateway listening');

  exitGracefullyOnSignals({
    log,
    listening,
    graceMs: cfg.shutdownGraceMs,
    drain: () => server.drain(),
    stop: async () => {
      await server.stop();
      await transport.close();
      keys.stop();
    },
  });
}

void main();
