import { createLocalJWKSet } from 'jose';
import type { DataSource } from 'typeorm';
import { listen, type Listening } from '../subgraphs/kit/http';
import { createInternalTokenVerifier, signInternalToken } from '../subgraphs/kit/internal-token';
import { generateSigningKey, type SigningKey } from '../subgraphs/kit/keys';
import { silentLogger } from '../subgraphs/kit/logger';
import type { SubgraphModule } from '../subgraphs/kit/module';
import type { Principal } from '../subgraphs/kit/principal';
import { scopesForRoles, type Scope } from '../subgraphs/kit/roles';
import { createSubgraphServer, type SubgraphServer } from '../subgraphs/kit/server';

/**
 * One subgraph served over HTTP on 127.0.0.1 (port 0), called the way the gateway calls it: with an
 * internal token signed by a key generated for the test. Requests choose their principal.
 */

export interface GraphQLResponse<T> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; field?: string } }[];
}

export interface RequestOptions {
  variables?: Record<string, unknown>;
  /** The caller; defaults to a national principal with no scopes. */
  principal?: Partial<Principal>;
  /** Send no token at all. */
  anonymous?: boolean;
}

export interface TestSubgraph {
  url: string;
  server: SubgraphServer;
  query<T = Record<string, unknown>>(query: string, opts?: RequestOptions): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

let requestCounter = 0;

/** A principal for tests: `scopes` wins over the scopes implied by `roles`. */
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

/** Shorthand: a principal holding exactly these scopes. */
export const withScopes = (...scopes: Scope[]): Partial<Principal> => ({ scopes });

export async function startTestSubgraph(module: SubgraphModule, dataSource: DataSource): Promise<TestSubgraph> {
  const key = await generateSigningKey();
  const server = await createSubgraphServer({
    name: module.name,
    resolvers: module.resolvers,
    dataSource,
    verifyToken: createInternalTokenVerifier(createLocalJWKSet(key.jwks), module.name),
    logger: silentLogger(),
  });
  server.markReady();
  const listening: Listening = await listen(server.app, 0, '127.0.0.1');
  const url = `${listening.url}/graphql`;
  const signing: SigningKey = key.signing;

  return {
    url,
    server,
    async query<T>(query: string, opts: RequestOptions = {}): Promise<GraphQLResponse<T>> {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (!opts.anonymous) {
        headers.authorization = `Bearer ${await signInternalToken(signing, testPrincipal(opts.principal), module.name)}`;
      }
      const res = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables: opts.variables ?? {} }),
      });
      const body = (await res.json()) as Omit<GraphQLResponse<T>, 'status'>;
      return { status: res.status, ...body };
    },
    async close() {
      await listening.close(1_000);
      await server.stop();
    },
  };
}
