import { TEST_PSEUDONYM_KEY } from './factories/citizens';
import { createLocalJWKSet } from 'jose';
import type { DataSource } from 'typeorm';
import { createSubgraphServer, type SubgraphServer } from '../subgraphs/kit/server';
import { createInternalTokenVerifier } from '../subgraphs/kit/internal-token';
import { generateSigningKey, type GeneratedKeyPair } from '../subgraphs/kit/keys';
import { listen, type Listening } from '../subgraphs/kit/http';
import { silentLogger, type Logger } from '../subgraphs/kit/logger';
import { SUBGRAPHS, type SubgraphName } from '../subgraphs/kit/module';
import { schemaFile } from '../subgraphs/kit/paths';
import { MODULES } from '../subgraphs/registry';
import { createAccessTokenVerifier } from '../gateway/auth';
import { DEV_AUDIENCE, DEV_ISSUER, issueToken, type TokenOptions } from '../gateway/dev-issuer';
import { createGatewayServer, type GatewayServer } from '../gateway/server';
import { createTestDatabase, type TestDatabase } from './databases';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: {
    data?: T | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  };
}

export interface Stack {
  gatewayUrl: string;
  subgraphUrls: Record<SubgraphName, string>;
  /** Each subgraph's database as the owner (factories, assertions); the servers use the app role. */
  db: Record<SubgraphName, DataSource>;
  /** Each subgraph's database as the application role the servers use. */
  appDb: Record<SubgraphName, DataSource>;
  /** GraphQL requests each subgraph has received (principal lookups by the gateway included). */
  subgraphCalls: Record<SubgraphName, number>;
  gateway: GatewayServer;
  issuer: GeneratedKeyPair;
  internal: GeneratedKeyPair;
  /** A token from the test issuer (the same trust set-up as the development issuer). */
  token(subject: string, opts?: TokenOptions): Promise<string>;
  /** Runs operations through the gateway as a seeded subject. */
  as(
    subject: string,
    opts?: { purpose?: string },
  ): {
    query<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  };
  /** Raw POST to the gateway's /graphql with exactly the given headers. */
  post<T = Record<string, unknown>>(body: unknown, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  /** Stops one subgraph's HTTP listener (to simulate an outage); the rest keep running. */
  stopSubgraph(name: SubgraphName): Promise<void>;
  stop(): Promise<void>;
}

export interface StackOptions {
  supergraphPath?: string;
  supergraphPollMs?: number;
  principalCacheMs?: number;
  /** Seed every subgraph's development demo set, as `npm start` does (README examples). */
  demo?: boolean;
  logger?: Logger;
}

/**
 * The whole graph in one process for a test file: five subgraphs on their own fresh databases
 * and the gateway, all on 127.0.0.1 port 0, over real HTTP. Await `stop()` in afterAll.
 */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const log = opts.logger ?? silentLogger();
  const [issuer, internal] = await Promise.all([generateSigningKey('test-issuer-1'), generateSigningKey('internal-1')]);
  const dbs = {} as Record<SubgraphName, TestDatabase>;
  const servers = {} as Record<SubgraphName, { server: SubgraphServer; listening: Listening }>;
  const stopped = new Set<SubgraphName>();
  const subgraphCalls = Object.fromEntries(SUBGRAPHS.map((n) => [n, 0])) as Record<SubgraphName, number>;

  await Promise.all(
    SUBGRAPHS.map(async (name) => {
      dbs[name] = await createTestDatabase(name);
      if (opts.demo && name !== 'organisations') {
        // organisations' development seed (the dev users) is already in every template
        await MODULES[name].seedDevelopment?.(dbs[name].dataSource, log, { pseudonymKey: TEST_PSEUDONYM_KEY });
      }
      const server = await createSubgraphServer({
        name,
        resolvers: MODULES[name].resolvers,
        dataSource: dbs[name].appDataSource, // the application role, as in `npm start`
        verifyToken: createInternalTokenVerifier(createLocalJWKSet(internal.jwks), name),
        logger: log,
        pseudonymKey: TEST_PSEUDONYM_KEY,
      });
      server.markReady();
      const listening = await listen(server.app, 0, '127.0.0.1');
      // prepended: express rewrites req.url under its mount path before later listeners run
      listening.server.prependListener('request', (req: { url?: string }) => {
        if (req.url?.startsWith('/graphql')) subgraphCalls[name] += 1;
      });
      servers[name] = { server, listening };
    }),
  );
  const subgraphUrls = Object.fromEntries(SUBGRAPHS.map((n) => [n, `${servers[n].listening.url}/graphql`])) as Record<
    SubgraphName,
    string
  >;

  const gateway = await createGatewayServer({
    mode: 'test',
    supergraphPath: opts.supergraphPath ?? schemaFile('supergraph.graphql'),
    supergraphPollMs: opts.supergraphPollMs ?? 50,
    subgraphUrls,
    introspection: true,
    landingPage: false,
    principalCacheMs: opts.principalCacheMs ?? 0,
    verifyAccessToken: createAccessTokenVerifier({
      keys: createLocalJWKSet(issuer.jwks),
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      clockToleranceSeconds: 5,
    }),
    internalKey: internal.signing,
    internalJwks: internal.jwks,
    logger: log,
  });
  const gw = await listen(gateway.app, 0, '127.0.0.1');
  const gatewayUrl = `${gw.url}/graphql`;

  const post = async <T>(body: unknown, headers: Record<string, string> = {}): Promise<GraphQLResponse<T>> => {
    const res = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: GraphQLResponse<T>['body'];
    try {
      parsed = JSON.parse(text) as GraphQLResponse<T>['body'];
    } catch {
      throw new Error(`gateway answered ${res.status} with a non-JSON body: ${text.slice(0, 200)}`);
    }
    return { status: res.status, headers: res.headers, body: parsed };
  };

  const stack: Stack = {
    gatewayUrl,
    subgraphUrls,
    db: Object.fromEntries(SUBGRAPHS.map((n) => [n, dbs[n].dataSource])) as Record<SubgraphName, DataSource>,
    appDb: Object.fromEntries(SUBGRAPHS.map((n) => [n, dbs[n].appDataSource])) as Record<SubgraphName, DataSource>,
    subgraphCalls,
    gateway,
    issuer,
    internal,
    token: (subject, tokenOpts) => issueToken(issuer.signing, subject, tokenOpts),
    as: (subject, asOpts = {}) => ({
      query: async <T>(query: string, variables?: Record<string, unknown>) => {
        const token = await issueToken(issuer.signing, subject);
        return post<T>(
          { query, variables },
          { authorization: `Bearer ${token}`, ...(asOpts.purpose ? { 'x-purpose': asOpts.purpose } : {}) },
        );
      },
    }),
    post,
    stopSubgraph: async (name) => {
      if (stopped.has(name)) return;
      stopped.add(name);
      await servers[name].listening.close(0);
    },
    stop: async () => {
      await gw.close(0);
      await gateway.stop();
      for (const name of SUBGRAPHS) {
        if (!stopped.has(name)) await servers[name].listening.close(0);
        await servers[name].server.stop();
        await dbs[name].drop();
      }
    },
  };
  return stack;
}
