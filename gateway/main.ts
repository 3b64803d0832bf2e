import { readFile } from 'node:fs/promises';
import type { JWK } from 'jose';
import { ConfigError } from '../subgraphs/kit/config';
import { importSigningKey, loadOrCreateKeyFiles, readJwksFile, type SigningKey } from '../subgraphs/kit/keys';
import { createLogger } from '../subgraphs/kit/logger';
import { listen } from '../subgraphs/kit/http';
import { createAccessTokenVerifier, keyResolver } from './auth';
import { loadGatewayConfig, type GatewayConfig } from './config';
import { devIssuerFiles, loadDevIssuerKey } from './dev-issuer';
import { createGatewayServer } from './server';

async function internalKey(cfg: GatewayConfig): Promise<SigningKey> {
  const { privateKeyPath, jwksPath, createIfMissing } = cfg.internalKeys;
  if (createIfMissing) return loadOrCreateKeyFiles(privateKeyPath, jwksPath);
  return importSigningKey(JSON.parse(await readFile(privateKeyPath, 'utf8')) as JWK);
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
  const key = await internalKey(cfg);
  const server = await createGatewayServer({
    mode: cfg.mode,
    supergraphPath: cfg.supergraphPath,
    supergraphPollMs: cfg.supergraphPollMs,
    subgraphUrls: cfg.subgraphUrls,
    introspection: cfg.introspection,
    landingPage: cfg.landingPage,
    principalCacheMs: cfg.principalCacheMs,
    verifyAccessToken: createAccessTokenVerifier({
      keys: keyResolver(cfg.auth.jwks),
      issuer: cfg.auth.issuer,
      audience: cfg.auth.audience,
      clockToleranceSeconds: cfg.auth.clockToleranceSeconds,
    }),
    internalKey: key,
    internalJwks: await readJwksFile(cfg.internalKeys.jwksPath),
    logger: log,
  });
  const listening = await listen(server.app, cfg.port, cfg.host);
  log.info({ url: `${listening.url}/graphql`, devIssuer: cfg.auth.devIssuer }, 'gateway listening');

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return; // Ctrl-C reaches every process of the group, then the launcher's SIGTERM
    shuttingDown = true;
    log.info({ signal }, 'shutting down');
    server.drain();
    await listening.close(cfg.shutdownGraceMs);
    await server.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

void main();
