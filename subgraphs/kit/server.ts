import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express from 'express';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { parse, type GraphQLSchema } from 'graphql';
import type { DataSource } from 'typeorm';
import { createErrorFormatter, errorBody, ErrorCode } from './errors';
import { bearer, type InternalTokenVerifier } from './internal-token';
import { LoaderRegistry } from './loaders';
import type { Logger } from './logger';
import type { Principal } from './principal';
import type { PseudonymKey } from './pseudonym';
import { requestIdPlugin, requestLogPlugin } from './plugins';
import { mountHealth, type Readiness } from './http';
import { graphqlHttp, routeGraphQL, sendJson } from './graphql-http';
import { isDatabaseUp } from './db';
import { schemaFile } from './paths';
import { applyAccessShield } from './shield';
import { applyAuditCollection, assertNoCacheHintsOnAudited, AuditCollector, auditPlugin } from './audit';
import { DEFAULT_SMALL_COUNT_THRESHOLD } from './small-counts';
import type { SecretKeyRing } from './secrets';
import { EMPTY_ALLOW_LIST, type WebhookAllowList } from './ssrf';
import { createSubgraphMetrics } from './metrics';
import {
  startRetentionScheduler,
  type RetentionRule,
  type RetentionScheduler,
  type RetentionSettings,
} from './retention';

/** What every resolver of every subgraph receives. */
export interface SubgraphContext {
  principal: Principal;
  requestId: string;
  loaders: LoaderRegistry;
  db: DataSource;
  log: Logger;
  /** Computes `Citizen.ref` from an identity document (the same key in every subgraph). */
  pseudonymKey: PseudonymKey;
  /** Counts below this are suppressed for aggregate-only callers (kit/small-counts.ts). */
  smallCountThreshold: number;
  /** This request's reads of personal, sensitive and restricted fields (written by `auditPlugin`). */
  audit: AuditCollector;
  /** The key ring for secrets at rest (kit/secrets.ts); only the subgraphs that keep secrets have one. */
  secretKeyRing?: SecretKeyRing;
  /** Webhook targets allowed despite the SSRF rule (kit/ssrf.ts). */
  webhookAllowList?: WebhookAllowList;
}

export type SubgraphResolvers = GraphQLResolverMap<SubgraphContext>;

export interface SubgraphDeps {
  name: string;
  resolvers: SubgraphResolvers;
  dataSource: DataSource;
  verifyToken: InternalTokenVerifier;
  logger: Logger;
  pseudonymKey: PseudonymKey;
  smallCountThreshold?: number;
  secretKeyRing?: SecretKeyRing;
  webhookAllowList?: WebhookAllowList;
  /** Overrides the SDL read from `schema/<name>.graphql` (tests of bad schemas). */
  typeDefs?: string;
  /** Wraps the built schema after the access shield (tests). */
  transformSchema?: (schema: GraphQLSchema) => GraphQLSchema;
  /** The retention scheduler (kit/retention.ts), started once ready; off when absent (tests). */
  retention?: RetentionSettings & { rules: readonly RetentionRule[] };
}

export interface SubgraphServer {
  /** The HTTP handler: GraphQL at /graphql on bare node:http (graphql-http.ts), Express for the rest. */
  handler: RequestListener;
  apollo: ApolloServer<SubgraphContext>;
  /** Called once migrations and seeds are done: from now on GraphQL is served. */
  markReady(): void;
  /** Marks the process as draining: /readyz answers 503 from now on. */
  drain(): void;
  /** The retention scheduler, once ready and when configured. */
  retention(): RetentionScheduler | undefined;
  stop(): Promise<void>;
}

/** The largest GraphQL request body a subgraph reads (a batch of 1,000 passages is about 190 KB). */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

export function readSubgraphSdl(name: string): string {
  return readFileSync(schemaFile(`${name}.graphql`), 'utf8');
}

/**
 * Side-effect-free construction of a subgraph: an HTTP handler with health routes, gateway-token
 * authentication on every GraphQL request (including `_service` and `_entities`), and Apollo
 * Server with masked errors. `main.ts` wires config and database and listens; tests import this.
 */
export async function createSubgraphServer(deps: SubgraphDeps): Promise<SubgraphServer> {
  const { name, dataSource, logger } = deps;
  const sdl = deps.typeDefs ?? readSubgraphSdl(name);
  // The same @access rules the gateway enforces, again here (defence in depth, DESIGN §5.5).
  let schema = applyAccessShield(sdl, buildSubgraphSchema([{ typeDefs: parse(sdl), resolvers: deps.resolvers }]));
  // Outside the shield: only fields that resolved (were allowed and did not fail) are audited.
  assertNoCacheHintsOnAudited(sdl, schema);
  schema = applyAuditCollection(sdl, schema);
  if (deps.transformSchema) schema = deps.transformSchema(schema);
  const metrics = createSubgraphMetrics(name, dataSource);

  const apollo = new ApolloServer<SubgraphContext>({
    schema,
    includeStacktraceInErrorResponses: false,
    // main.ts owns shutdown: drain readiness, finish in-flight requests, then stop.
    stopOnTerminationSignals: false,
    formatError: createErrorFormatter(logger),
    introspection: true,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      auditPlugin(),
      requestIdPlugin(),
      requestLogPlugin(),
      metrics.plugin,
    ],
    logger,
  });
  await apollo.start();

  let ready = false;
  let draining = false;
  let retention: RetentionScheduler | undefined;
  const app = express();
  app.disable('x-powered-by');
  // no ETag: a SHA-1 of every answer's body, for answers (POSTed GraphQL) no client revalidates
  app.disable('etag');
  app.get('/metrics', metrics.handler);
  mountHealth(app, async (): Promise<Readiness> => {
    const dbUp = await isDatabaseUp(dataSource);
    const state = draining ? 'draining' : ready ? 'serving' : 'starting';
    return { ready: dbUp && ready && !draining, checks: { database: dbUp ? 'up' : 'down', process: state } };
  });

  const serveGraphQL = graphqlHttp(apollo, { maxBodyBytes: MAX_BODY_BYTES, log: logger });
  /** The gateway's token before any GraphQL work, then the operation. */
  const graphql = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let principal: Principal;
    try {
      const requestId = req.headers['x-request-id'];
      principal = await deps.verifyToken(
        bearer(req.headers.authorization),
        typeof requestId === 'string' ? requestId : undefined,
      );
    } catch {
      // no trusted request id without the gateway's token: a fresh one, so the refusal can be quoted
      const requestId = randomUUID();
      res.setHeader('x-request-id', requestId);
      sendJson(res, 401, errorBody(ErrorCode.UNAUTHENTICATED, 'Requests must come through the gateway', requestId));
      return;
    }
    res.setHeader('x-request-id', principal.requestId);
    if (!ready || !dataSource.isInitialized) {
      sendJson(
        res,
        503,
        errorBody(ErrorCode.SERVICE_UNAVAILABLE, 'Service temporarily unavailable', principal.requestId),
      );
      return;
    }
    return serveGraphQL(req, res, async () => ({
      principal,
      requestId: principal.requestId,
      loaders: new LoaderRegistry(),
      db: dataSource,
      pseudonymKey: deps.pseudonymKey,
      smallCountThreshold: deps.smallCountThreshold ?? DEFAULT_SMALL_COUNT_THRESHOLD,
      log: logger.child({ requestId: principal.requestId, subject: principal.subject }),
      audit: new AuditCollector(),
      secretKeyRing: deps.secretKeyRing,
      webhookAllowList: deps.webhookAllowList ?? EMPTY_ALLOW_LIST,
    }));
  };

  return {
    handler: routeGraphQL('/graphql', graphql, app, logger),
    apollo,
    markReady: () => {
      ready = true;
      if (deps.retention && !retention) {
        const { rules, ...settings } = deps.retention;
        retention = startRetentionScheduler(dataSource, rules, settings, logger);
      }
    },
    drain: () => {
      draining = true;
    },
    retention: () => retention,
    stop: async () => {
      await retention?.stop();
      await apollo.stop();
    },
  };
}
