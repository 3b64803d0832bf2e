import { randomUUID } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloGateway } from '@apollo/gateway';
import type { JSONWebKeySet } from 'jose';
import { createErrorFormatter, errorBody, ErrorCode } from '../subgraphs/kit/errors';
import { bearer } from '../subgraphs/kit/internal-token';
import type { SigningKey } from '../subgraphs/kit/keys';
import type { Logger } from '../subgraphs/kit/logger';
import type { Principal } from '../subgraphs/kit/principal';
import { requestIdPlugin, requestLogPlugin } from '../subgraphs/kit/plugins';
import { mountHealth } from '../subgraphs/kit/http';
import type { SubgraphName } from '../subgraphs/kit/module';
import type { AccessTokenVerifier } from './auth';
import type { GatewayContext } from './context';
import { PrincipalLookupError, PrincipalResolver } from './principals';
import { SignedSubgraphSource } from './subgraph-source';
import { SupergraphFile } from './supergraph-file';
import { SubgraphProbe } from './subgraph-probe';
import { AuthorizingGateway } from './authorization/gateway';

export interface GatewayDeps {
  mode: 'development' | 'production' | 'test';
  supergraphPath: string;
  supergraphPollMs: number;
  subgraphUrls: Partial<Record<SubgraphName, string>>;
  introspection: boolean;
  landingPage: boolean;
  principalCacheMs: number;
  verifyAccessToken: AccessTokenVerifier;
  internalKey: SigningKey;
  /** Public keys of the internal signing key, served for subgraphs configured with a JWKS URL. */
  internalJwks: JSONWebKeySet;
  logger: Logger;
}

export interface GatewayServer {
  app: Express;
  apollo: ApolloServer<GatewayContext>;
  supergraph: SupergraphFile;
  principals: PrincipalResolver;
  drain(): void;
  stop(): Promise<void>;
}

const PURPOSE_MAX = 200;

/**
 * Side-effect-free construction of the gateway: health routes, authentication before any
 * GraphQL work (a bad token never reaches planning or a subgraph), the caller's principal from
 * their active grants, and Apollo Gateway calling subgraphs with signed internal tokens.
 */
export async function createGatewayServer(deps: GatewayDeps): Promise<GatewayServer> {
  const log = deps.logger;
  const supergraph = new SupergraphFile(deps.supergraphPath, deps.supergraphPollMs, log);
  const urlOf = (name: string): string | undefined =>
    deps.subgraphUrls[name as SubgraphName] ?? supergraph.state.subgraphs.find((s) => s.name === name)?.url;

  // Field-level authorisation runs before planning (see gateway/authorization).
  const gateway = new AuthorizingGateway(
    new ApolloGateway({
      supergraphSdl: supergraph,
      buildService: ({ name, url }) =>
        new SignedSubgraphSource(deps.subgraphUrls[name as SubgraphName] ?? url ?? '', name, () => deps.internalKey),
      logger: log,
    }),
  );

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    includeStacktraceInErrorResponses: false,
    // main.ts owns shutdown: drain readiness, finish in-flight requests, then stop.
    stopOnTerminationSignals: false,
    formatError: createErrorFormatter(log),
    introspection: deps.introspection,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    plugins: [
      deps.landingPage
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false })
        : ApolloServerPluginLandingPageDisabled(),
      requestIdPlugin(),
      requestLogPlugin(),
    ],
    logger: log,
  });
  await apollo.start();

  const principals = new PrincipalResolver({
    organisationsUrl: () => {
      const url = urlOf('organisations');
      if (!url) throw new PrincipalLookupError('no routing URL for organisations');
      return url;
    },
    signingKey: () => deps.internalKey,
    cacheMs: deps.principalCacheMs,
  });
  const probe = new SubgraphProbe(() =>
    supergraph.state.subgraphs.map((s) => ({ name: s.name, url: urlOf(s.name) ?? s.url })),
  );

  let draining = false;
  const app = express();
  app.disable('x-powered-by');
  mountHealth(app, async () => {
    const subgraphs = await probe.statuses();
    const ready = supergraph.state.loaded && !draining;
    return {
      ready,
      checks: {
        supergraph: supergraph.state.loaded ? 'loaded' : 'not loaded',
        ...(draining ? { process: 'draining' } : {}),
        ...prefixed(subgraphs),
      },
    };
  });
  app.get('/.well-known/internal-jwks.json', (_req, res) => {
    res.json(deps.internalJwks);
  });

  const authenticate = async (req: Request, res: Response, next: NextFunction) => {
    const requestId = randomUUID();
    res.setHeader('x-request-id', requestId);
    if (deps.landingPage && isLandingPageRequest(req)) return next();
    const deny = (status: number, code: ErrorCode, message: string) => {
      if (status === 401) res.setHeader('www-authenticate', 'Bearer error="invalid_token"');
      res.status(status).json(errorBody(code, message, requestId));
    };
    let subject: string;
    try {
      subject = (await deps.verifyAccessToken(bearer(req.headers.authorization))).subject;
    } catch (e) {
      return deny(401, ErrorCode.UNAUTHENTICATED, (e as Error).message);
    }
    const purposeHeader = req.headers['x-purpose'];
    const purpose = typeof purposeHeader === 'string' ? purposeHeader.trim() : '';
    if (purpose.length > PURPOSE_MAX || !/^[\p{L}\p{N}\p{P}\p{Zs}\p{S}]*$/u.test(purpose)) {
      return deny(
        400,
        ErrorCode.BAD_USER_INPUT,
        `x-purpose: must be printable text of at most ${PURPOSE_MAX} characters`,
      );
    }
    try {
      const caller = await principals.resolve(subject, requestId);
      if (!caller) return deny(403, ErrorCode.FORBIDDEN, 'This identity has no active account in the federation');
      const principal: Principal = { ...caller, purpose: purpose || null, requestId };
      res.locals.principal = principal;
    } catch (e) {
      log.error({ requestId, reason: (e as Error).message }, 'could not resolve the caller grants');
      return deny(503, ErrorCode.SERVICE_UNAVAILABLE, 'Authorisation is temporarily unavailable; retry shortly');
    }
    return next();
  };

  app.use(
    '/graphql',
    authenticate,
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ res }) => {
        const principal = res.locals.principal as Principal | undefined;
        const requestId = res.getHeader('x-request-id') as string;
        // Only the landing page gets here without a principal, and it never executes an operation.
        const effective: Principal = principal ?? {
          subject: 'anonymous',
          kind: 'user',
          organisationCode: null,
          roles: [],
          scopes: [],
          jurisdictions: [],
          purpose: null,
          requestId,
        };
        return {
          principal: effective,
          requestId,
          log: log.child({ requestId, subject: effective.subject }),
          internalTokens: new Map(),
        };
      },
    }),
  );

  return {
    app,
    apollo,
    supergraph,
    principals,
    drain: () => {
      draining = true;
    },
    stop: () => apollo.stop(),
  };
}

function isLandingPageRequest(req: Request): boolean {
  return (
    req.method === 'GET' && Object.keys(req.query).length === 0 && (req.headers.accept ?? '').includes('text/html')
  );
}

function prefixed(statuses: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(statuses).map(([k, v]) => [`subgraph:${k}`, v]));
}
