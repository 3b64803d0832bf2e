import { TEST_PSEUDONYM_KEY } from './factories/citizens';
import { createLocalJWKSet } from 'jose';
import type { DataSource } from 'typeorm';
import { listen, type Listening } from '../subgraphs/kit/http';
import { createInternalTokenVerifier, signInternalToken } from '../subgraphs/kit/internal-token';
import { generateSigningKey, type SigningKey } from '../subgraphs/kit/keys';
import { silentLogger } from '../subgraphs/kit/logger';
import type { SubgraphName } from '../subgraphs/kit/module';
import type { Principal } from '../subgraphs/kit/principal';
import { scopesForRoles } from '../subgraphs/kit/roles';
import { createSubgraphServer } from '../subgraphs/kit/server';
import { MODULES } from '../subgraphs/registry';
import { createTestDatabase, type TestDatabase } from './databases';

/**
 * One subgraph served over HTTP on 127.0.0.1 (port 0), called the way the gateway calls it: with an
 * internal token signed by a key generated for the test. Each request chooses its caller.
 */

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  /** The response body exactly as the subgraph sent it. */
  body: {
    data?: T | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; field?: string } }[];
  };
}

export interface RequestOptions {
  variables?: Record<string, unknown>;
  /** The caller (see `testPrincipal`); defaults to a national user with no roles and no scopes. */
  principal?: Partial<Principal>;
  /** A raw bearer token instead of one signed for `principal`, or null to send no Authorization header. */
  token?: string | null;
}

export interface TestSubgraph {
  readonly name: SubgraphName;
  /** The GraphQL endpoint. */
  readonly url: string;
  /** The database the subgraph serves (as the owner). */
  readonly dataSource: DataSource;
  /** POSTs a GraphQL operation over real HTTP. */
  query<T = Record<string, unknown>>(query: string, opts?: RequestOptions): Promise<GraphQLResponse<T>>;
  /** An internal token for `principal`, as the gateway signs it (for requests a test builds itself). */
  token(principal?: Partial<Principal>): Promise<string>;
}

export interface RunningSubgraph extends TestSubgraph {
  close(): Promise<void>;
}

let requestCounter = 0;

/** A principal as the gateway would describe it: `scopes` wins over the scopes implied by `roles`. */
export function testPrincipal(overrides: Partial<Principal> = {}): Principal {
  const roles = overrides.roles ?? [];
  return {
    subject: 'test-caller',
    kind: 'user',
    organisationCode: null,
    jurisdictions: [{ unitCode: null, includeDescendants: true }],
    purpose: null,
    requestId: `test-request-${++requestCounter}`,
    ...overrides,
    roles,
    scopes: overrides.scopes ?? scopesForRoles(roles),
  };
}

/**
 * Starts one subgraph on a free port over the given database, trusting a freshly generated
 * gateway key, and marks it ready: the same path `main.ts` takes, minus config and migrations.
 */
export async function startSubgraph(name: SubgraphName, dataSource: DataSource): Promise<RunningSubgraph> {
  const key = await generateSigningKey();
  const signing: SigningKey = key.signing;
  const server = await createSubgraphServer({
    name,
    resolvers: MODULES[name].resolvers,
    dataSource,
    verifyToken: createInternalTokenVerifier(createLocalJWKSet(key.jwks), name),
    logger: silentLogger(),
    pseudonymKey: TEST_PSEUDONYM_KEY,
  });
  const listening: Listening = await listen(server.handler, 0, '127.0.0.1');
  server.markReady();
  const url = `${listening.url}/graphql`;

  return {
    name,
    url,
    dataSource,
    token: (principal) => signInternalToken(signing, testPrincipal(principal), name),
    async query<T>(query: string, opts: RequestOptions = {}): Promise<GraphQLResponse<T>> {
      const token =
        opts.token === undefined ? await signInternalToken(signing, testPrincipal(opts.principal), name) : opts.token;
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify({ query, variables: opts.variables ?? {} }),
      });
      return { status: res.status, body: (await res.json()) as GraphQLResponse<T>['body'] };
    },
    async close() {
      await listening.close(1_000);
      await server.stop();
    },
  };
}

export interface UseSubgraphOptions {
  /** Runs on the fresh database before the subgraph starts (e.g. to import reference data). */
  prepare?: (dataSource: DataSource) => Promise<void>;
}

/**
 * For a test file: before all its tests, clones a fresh database for the subgraph (see
 * `createTestDatabase`) and starts the subgraph over it; after them, stops it and drops the database.
 * The handle is usable inside tests and hooks, once `beforeAll` has run.
 */
export function useSubgraph(name: SubgraphName, options: UseSubgraphOptions = {}): TestSubgraph {
  let db: TestDatabase | undefined;
  let running: RunningSubgraph | undefined;

  beforeAll(async () => {
    db = await createTestDatabase(name);
    await options.prepare?.(db.dataSource);
    // One subgraph alone serves as the owner, so a test may spy on or write through the same
    // DataSource; the whole stack (test/stack.ts) serves as the application role, as `npm start` does.
    running = await startSubgraph(name, db.dataSource);
  });
  afterAll(async () => {
    await running?.close();
    await db?.drop();
  });

  const started = (): RunningSubgraph => {
    if (!running) throw new Error(`the ${name} subgraph is not running: use it inside a test or hook`);
    return running;
  };
  return {
    name,
    get url() {
      return started().url;
    },
    get dataSource() {
      return started().dataSource;
    },
    query: <T>(query: string, opts?: RequestOptions) => started().query<T>(query, opts),
    token: (principal) => started().token(principal),
  };
}
