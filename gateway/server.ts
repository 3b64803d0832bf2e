import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express from 'express';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloGateway } from '@apollo/gateway';
import type { JSONWebKeySet } from 'jose';
import { errorBody, ErrorCode } from '../subgraphs/kit/errors';
import { createGatewayErrorFormatter } from './error-format';
import { bearer } from '../subgraphs/kit/internal-token';
import type { SigningKey } from '../subgraphs/kit/keys';
import type { Logger } from '../subgraphs/kit/logger';
import type { Principal } from '../subgraphs/kit/principal';
import { requestIdPlugin, requestLogPlugin } from '../subgraphs/kit/plugins';
import { mountHealth } from '../subgraphs/kit/http';
import { graphqlHttp, routeGraphQL, sendJson } from '../subgraphs/kit/graphql-http';
import { schemaFile } from '../subgraphs/kit/paths';
import type { SubgraphName } from '../subgraphs/kit/module';
import type { AccessTokenVerifier } from './auth';
import type { GatewayContext } from './context';
import { PrincipalLookupError, PrincipalResolver } from './principals';
import { requestPrincipal, SignedSubgraphSource, type SubgraphTransport } from './subgraph-source';
import { SupergraphFile } from './supergraph-file';
import { SubgraphProbe } from './subgraph-probe';
import { AuthorizingGateway } from './authorization/gateway';
import { costLimitPlugin, DEFAULT_LIMITS, limitValidationRules, type OperationLimits } from './limits';
import { staffIntrospectionPlugin, type IntrospectionPolicy } from './limits/introspection';
import { createRateLimiter, type LimiterFactory, type RateLimitSettings } from './limits/rate-limit';
import { loadManifests, TrustedDocuments } from './trusted-documents/manifests';
import { ManifestDocumentCache, trustedDocumentsPlugin } from './trusted-documents/plugin';
import { createGatewayMetrics } from './metrics';
import { checkVariablesWithoutCoercing } from './variables';

export interface GatewayDeps {
  mode: 'development' | 'production' | 'test';
  supergraphPath: string;
  supergraphPollMs: number;
  subgraphUrls: Partial<Record<SubgraphName, string>>;
  /** `true`: everyone; `'staff'`: staff principals only (gateway/staff.ts); `false`: nobody. */
  introspection: IntrospectionPolicy;
  landingPage: boolean;
  /** Operation limits; unset ones take DEFAULT_LIMITS. */
  limits?: Partial<OperationLimits>;
  /** Requests per principal and per client; without it, no rate limit. */
  rateLimit?: RateLimitSettings;
  /** The rate limiter's store (default: in memory, per replica). */
  rateLimiterFactory?: LimiterFactory;
  /** Trusted-document manifests (default: schema/operations, not enforced). */
  trustedDocuments?: { manifestsDir?: string; enforce: boolean };
  principalCacheMs: number;
  verifyAccessToken: AccessTokenVerifier;
  /** The internal signing key, or a function giving the current one (it rotates: see internal-keys.ts). */
  internalKey: SigningKey | (() => SigningKey);
  /** Public keys of the internal signing key(s), served for subgraphs configured with a JWKS URL. */
  internalJwks: JSONWebKeySet | (() => JSONWebKeySet);
  logger: Logger;
  /** The HTTP client to subgraphs (keep-alive, timeouts, retries: subgraph-source.ts); its owner closes it. */
  subgraphTransport?: SubgraphTransport;
}

export interface GatewayServer {
  /** The HTTP handler: GraphQL at /graphql on bare node:http (kit/graphql-http.ts), Express for the rest. */
  handler: RequestListener;
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
  const { internalKey, internalJwks } = deps;
  const signingKey = typeof internalKey === 'function' ? internalKey : () => internalKey;
  const publishedJwks = typeof internalJwks === 'function' ? internalJwks : () => internalJwks;
  const limits: OperationLimits = { ...DEFAULT_LIMITS, ...deps.limits };
  const trusted = new TrustedDocuments(loadManifests(deps.trustedDocuments?.manifestsDir ?? schemaFile('operations')));
  const rateLimiter = createRateLimiter(
    deps.rateLimit ?? { enabled: false, principalPoints: 1, clientPoints: 1, windowSeconds: 1 },
    deps.rateLimiterFactory,
  );
  const supergraph = new SupergraphFile(deps.supergraphPath, deps.supergraphPollMs, log);
  const urlOf = (name: string): string | undefined =>
    deps.subgraphUrls[name as SubgraphName] ?? supergraph.state.subgraphs.find((s) => s.name === name)?.url;

  // gateway/metrics.ts: /metrics, the plugin, subgraph calls, what the transport spared
  const metrics = createGatewayMetrics(deps.subgraphTransport && (() => deps.subgraphTransport!.stats()));
  // Field-level authorisation runs before planning (see gateway/authorization).
  const apolloGateway = new ApolloGateway({
    supergraphSdl: supergraph,
    buildService: ({ name, url }) =>
      new SignedSubgraphSource(
        deps.subgraphUrls[name as SubgraphName] ?? url ?? '',
        name,
        signingKey,
        deps.subgraphTransport,
        metrics.observeSubgraphCall,
      ),
    logger: log,
  });
  // variables checked without graphql-js building a copy of them first (gateway/variables.ts)
  if (!checkVariablesWithoutCoercing(apolloGateway)) {
    log.warn('@apollo/gateway has no validateIncomingRequest: variables are checked the slower way');
  }
  const gateway = new AuthorizingGateway(apolloGateway);
  // a new supergraph may change what a subgraph answers: kept entities are not carried over
  gateway.onSchemaLoadOrUpdate(() => deps.subgraphTransport?.entities.clear());

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    includeStacktraceInErrorResponses: false,
    // main.ts owns shutdown: drain readiness, finish in-flight requests, then stop.
    stopOnTerminationSignals: false,
    formatError: createGatewayErrorFormatter(log),
    introspection: deps.introspection !== false,
    // no "Did you mean …?" in validation errors: they would reveal the schema to anyone
    hideSchemaDetailsFromClientErrors: true,
    // a document with too many tokens is refused while parsing (400), before any work on it
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: limitValidationRules(limits),
    // the persisted-query extension resolves hashes from the manifests only (nothing is registered)
    persistedQueries: { cache: new ManifestDocumentCache(trusted) },
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    plugins: [
      trustedDocumentsPlugin(trusted, deps.trustedDocuments?.enforce ?? false),
      ...(deps.introspection === 'staff' ? [staffIntrospectionPlugin()] : []),
      costLimitPlugin(limits),
      deps.landingPage
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false })
        : ApolloServerPluginLandingPageDisabled(),
      requestIdPlugin(),
      requestLogPlugin(),
      metrics.plugin,
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
    signingKey,
    cacheMs: deps.principalCacheMs,
  });
  const probe = new SubgraphProbe(() =>
    supergraph.state.subgraphs.map((s) => ({ name: s.name, url: urlOf(s.name) ?? s.url })),
  );

  let draining = false;
  const app = express();
  app.disable('x-powered-by');
  // no ETag: a SHA-1 of every answer's body, for answers (POSTed GraphQL) no client revalidates
  app.disable('etag');
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
  app.get('/metrics', metrics.handler);
  app.get('/.well-known/internal-jwks.json', (_req, res) => {
    res.json(publishedJwks());
  });

  const serveGraphQL = graphqlHttp(apollo, { maxBodyBytes: limits.maxBodyBytes, log });
  const context = (requestId: string, principal: Principal, clientId: string | null): GatewayContext => ({
    principal,
    requestId,
    clientId,
    log: log.child({ requestId, subject: principal.subject }),
    internalTokens: new Map(),
  });

  /** Authentication, rate limit and the caller's principal before any GraphQL work, then the operation. */
  const graphql = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    res.setHeader('x-request-id', requestId);
    if (deps.landingPage && isLandingPageRequest(req)) {
      // only the landing page gets here without a principal, and it never executes an operation
      return serveGraphQL(req, res, async () => context(requestId, anonymous(requestId), null));
    }
    const deny = (status: number, code: ErrorCode, message: string) => {
      if (status === 401) res.setHeader('www-authenticate', 'Bearer error="invalid_token"');
      sendJson(res, status, errorBody(code, message, requestId));
    };
    let subject: string;
    let clientId: string | null;
    try {
      ({ subject, clientId } = await deps.verifyAccessToken(bearer(req.headers.authorization)));
    } catch (e) {
      return deny(401, ErrorCode.UNAUTHENTICATED, (e as Error).message);
    }
    if (!(await rateLimiter.admit(res, subject, clientId, requestId))) return;
    const purposeHeader = req.headers['x-purpose'];
    const purpose = typeof purposeHeader === 'string' ? purposeHeader.trim() : '';
    if (purpose.length > PURPOSE_MAX || !/^[\p{L}\p{N}\p{P}\p{Zs}\p{S}]*$/u.test(purpose)) {
      return deny(
        400,
        ErrorCode.BAD_USER_INPUT,
        `x-purpose: must be printable text of at most ${PURPOSE_MAX} characters`,
      );
    }
    let principal: Principal;
    try {
      const caller = await principals.resolve(subject, requestId);
      if (!caller) return deny(403, ErrorCode.FORBIDDEN, 'This identity has no active account in the federation');
      principal = requestPrincipal(caller, purpose || null, requestId);
    } catch (e) {
      log.error({ requestId, reason: (e as Error).message }, 'could not resolve the caller grants');
      return deny(503, ErrorCode.SERVICE_UNAVAILABLE, 'Authorisation is temporarily unavailable; retry shortly');
    }
    return serveGraphQL(req, res, async () => context(requestId, principal, clientId));
  };

  return {
    handler: routeGraphQL('/graphql', graphql, app, log),
    apollo,
    supergraph,
    principals,
    drain: () => {
      draining = true;
    },
    stop: () => apollo.stop(),
  };
}

function isLandingPageRequest(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  const query = url.indexOf('?');
  return (
    req.method === 'GET' && (query < 0 || query === url.length - 1) && (req.headers.accept ?? '').includes('text/html')
  );
}

function anonymous(requestId: string): Principal {
  return {
    subject: 'anonymous',
    kind: 'user',
    organisationCode: null,
    roles: [],
    scopes: [],
    jurisdictions: [],
    purpose: null,
    requestId,
  };
}

function prefixed(statuses: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(statuses).map(([k, v]) => [`subgraph:${k}`, v]));
}
