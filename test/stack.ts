import { TEST_PSEUDONYM_KEY } from './factories/citizens';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, type JWTVerifyGetKey } from 'jose';
import type { DataSource } from 'typeorm';
import { createSubgraphServer, type SubgraphServer } from '../subgraphs/kit/server';
import { createInternalTokenVerifier } from '../subgraphs/kit/internal-token';
import {
  fileJwks,
  generateSigningKey,
  readSigningKeyFile,
  writeKeyFiles,
  type GeneratedKeyPair,
  type SigningKey,
} from '../subgraphs/kit/keys';
import { listen, type Listening } from '../subgraphs/kit/http';
import { parseSecretKeyRing } from '../subgraphs/kit/secrets';
import { parseWebhookAllowList } from '../subgraphs/kit/ssrf';
import { silentLogger, type Logger } from '../subgraphs/kit/logger';
import { SUBGRAPHS, type SubgraphName } from '../subgraphs/kit/module';
import { schemaFile } from '../subgraphs/kit/paths';
import { MODULES } from '../subgraphs/registry';
import { createAccessTokenVerifier, keyResolver } from '../gateway/auth';
import { InternalSigningKeys } from '../gateway/internal-keys';
import { DEV_AUDIENCE, DEV_ISSUER, issueToken, type TokenOptions } from '../gateway/dev-issuer';
import { createGatewayServer, type GatewayDeps, type GatewayServer } from '../gateway/server';
import { SubgraphTransport, type SubgraphTransportOptions } from '../gateway/subgraph-source';
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
  /** Per subgraph, how many requests carried an internal token with each key id (`kid`). */
  subgraphTokenKids: Record<SubgraphName, Map<string, number>>;
  gateway: GatewayServer;
  /** The issuer's and the internal key pairs the stack started with. */
  issuer: GeneratedKeyPair;
  internal: GeneratedKeyPair;
  /** With `keyDir`: the key files, the gateway's internal key follower, and the current issuer key. */
  keyFiles?: {
    issuerPrivate: string;
    issuerJwks: string;
    internalPrivate: string;
    internalJwks: string;
    internalKeys: InternalSigningKeys;
  };
  /** A token from the test issuer (the same trust set-up as the development issuer); with `keyDir`,
   * signed with the issuer's key file as it is now. */
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

/** The fixed key ring the test stack encrypts secrets with (kit/secrets.ts). */
export const TEST_SECRET_KEY_RING = parseSecretKeyRing(`test1:${Buffer.alloc(32, 7).toString('base64')}`);
/** The test stack's webhook allow-list: loopback, so tests can receive deliveries locally. */
export const TEST_WEBHOOK_ALLOWED_TARGETS = '127.0.0.0/8,::1/128,localhost';

export interface StackOptions {
  /** The gateway's abuse controls: limits, rate limit, trusted documents, introspection policy. */
  gatewayPolicy?: Partial<Pick<GatewayDeps, 'introspection' | 'limits' | 'rateLimit' | 'trustedDocuments'>>;
  /** WEBHOOK_ALLOWED_TARGETS of the organisations subgraph (default: loopback, `TEST_WEBHOOK_ALLOWED_TARGETS`). */
  webhookAllowedTargets?: string;
  supergraphPath?: string;
  supergraphPollMs?: number;
  principalCacheMs?: number;
  /** Seed every subgraph's development demo set, as `npm start` does (README examples). */
  demo?: boolean;
  logger?: Logger;
  /**
   * Keep the keys in files in this directory, as `npm start` does, instead of in memory: the
   * gateway follows its internal key file (rotations apply without a restart), verifies user tokens
   * with the issuer's JWKS file, and the subgraphs verify internal tokens with the internal JWKS
   * file. Files: issuer.private.json, issuer.jwks.json, internal.private.json, internal.jwks.json.
   */
  keyDir?: string;
  /** With `keyDir`: how often the gateway checks its internal key file (default 50 ms). */
  internalKeyPollMs?: number;
  /** The gateway's client to its subgraphs: timeouts, keep-alive (gateway/subgraph-source.ts). */
  subgraphTransport?: SubgraphTransportOptions;
  /** The URL the gateway calls a subgraph at, given where it listens (e.g. a test proxy in front). */
  routeSubgraph?: (name: SubgraphName, url: string) => string | Promise<string>;
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
  const subgraphTokenKids = Object.fromEntries(SUBGRAPHS.map((n) => [n, new Map<string, number>()])) as Record<
    SubgraphName,
    Map<string, number>
  >;
  let keyFiles: Stack['keyFiles'];
  let issuerKeys: JWTVerifyGetKey;
  if (opts.keyDir) {
    const files = {
      issuerPrivate: join(opts.keyDir, 'issuer.private.json'),
      issuerJwks: join(opts.keyDir, 'issuer.jwks.json'),
      internalPrivate: join(opts.keyDir, 'internal.private.json'),
      internalJwks: join(opts.keyDir, 'internal.jwks.json'),
    };
    await writeKeyFiles(issuer, files.issuerPrivate, files.issuerJwks);
    await writeKeyFiles(internal, files.internalPrivate, files.internalJwks);
    keyFiles = {
      ...files,
      internalKeys: await InternalSigningKeys.open({
        privateKeyPath: files.internalPrivate,
        jwksPath: files.internalJwks,
        pollMs: opts.internalKeyPollMs ?? 50,
        logger: log,
      }),
    };
    issuerKeys = keyResolver({ kind: 'file', path: files.issuerJwks });
  } else {
    issuerKeys = createLocalJWKSet(issuer.jwks);
  }
  const issuerKey = async (): Promise<SigningKey> =>
    keyFiles ? readSigningKeyFile(keyFiles.issuerPrivate) : issuer.signing;

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
        // with key files, each subgraph follows the internal JWKS file on its own, as in `npm start`
        verifyToken: createInternalTokenVerifier(
          keyFiles ? fileJwks(keyFiles.internalJwks) : createLocalJWKSet(internal.jwks),
          name,
        ),
        logger: log,
        pseudonymKey: TEST_PSEUDONYM_KEY,
        secretKeyRing: TEST_SECRET_KEY_RING,
        webhookAllowList: parseWebhookAllowList(opts.webhookAllowedTargets ?? TEST_WEBHOOK_ALLOWED_TARGETS),
      });
      server.markReady();
      const listening = await listen(server.handler, 0, '127.0.0.1');
      // prepended: express rewrites req.url under its mount path before later listeners run
      listening.server.prependListener('request', (req: { url?: string; headers: Record<string, unknown> }) => {
        if (!req.url?.startsWith('/graphql')) return;
        subgraphCalls[name] += 1;
        const auth = req.headers.authorization;
        if (typeof auth !== 'string' || !auth.startsWith('Bearer ')) return;
        try {
          const { kid } = decodeProtectedHeader(auth.slice('Bearer '.length));
          if (kid) subgraphTokenKids[name].set(kid, (subgraphTokenKids[name].get(kid) ?? 0) + 1);
        } catch {
          // not a JWT: the subgraph refuses it
        }
      });
      servers[name] = { server, listening };
    }),
  );
  const subgraphUrls = Object.fromEntries(SUBGRAPHS.map((n) => [n, `${servers[n].listening.url}/graphql`])) as Record<
    SubgraphName,
    string
  >;

  const routed = { ...subgraphUrls };
  if (opts.routeSubgraph) for (const n of SUBGRAPHS) routed[n] = await opts.routeSubgraph(n, subgraphUrls[n]);
  const transport = new SubgraphTransport({ ...opts.subgraphTransport, logger: log });
  const gateway = await createGatewayServer({
    mode: 'test',
    supergraphPath: opts.supergraphPath ?? schemaFile('supergraph.graphql'),
    supergraphPollMs: opts.supergraphPollMs ?? 50,
    subgraphUrls: routed,
    introspection: true,
    landingPage: false,
    principalCacheMs: opts.principalCacheMs ?? 0,
    verifyAccessToken: createAccessTokenVerifier({
      keys: issuerKeys,
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      clockToleranceSeconds: 5,
    }),
    internalKey: keyFiles ? () => keyFiles.internalKeys.current() : internal.signing,
    internalJwks: keyFiles ? () => keyFiles.internalKeys.jwks() : internal.jwks,
    logger: log,
    subgraphTransport: transport,
    ...opts.gatewayPolicy,
  });
  const gw = await listen(gateway.handler, 0, '127.0.0.1');
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
    subgraphTokenKids,
    gateway,
    issuer,
    internal,
    keyFiles,
    token: async (subject, tokenOpts) => issueToken(await issuerKey(), subject, tokenOpts),
    as: (subject, asOpts = {}) => ({
      query: async <T>(query: string, variables?: Record<string, unknown>) => {
        const token = await issueToken(await issuerKey(), subject);
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
      await transport.close();
      keyFiles?.internalKeys.stop();
      for (const name of SUBGRAPHS) {
        if (!stopped.has(name)) await servers[name].listening.close(0);
        await servers[name].server.stop();
        await dbs[name].drop();
      }
    },
  };
  return stack;
}
