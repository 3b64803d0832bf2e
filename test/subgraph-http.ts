import { randomUUID } from 'node:crypto';
import { createLocalJWKSet } from 'jose';
import type { DataSource } from 'typeorm';
import { listen, type Listening } from '../subgraphs/kit/http';
import { createInternalTokenVerifier, signInternalToken } from '../subgraphs/kit/internal-token';
import { generateSigningKey, type SigningKey } from '../subgraphs/kit/keys';
import { silentLogger } from '../subgraphs/kit/logger';
import type { SubgraphName } from '../subgraphs/kit/module';
import type { Principal } from '../subgraphs/kit/principal';
import { MODULES } from '../subgraphs/registry';
import { createSubgraphServer, type SubgraphServer } from '../subgraphs/kit/server';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  body: {
    data?: T | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; field?: string } }[];
  };
}

export interface CallOptions {
  /** The caller's scopes (default: none); ignored when `token` is given. */
  scopes?: readonly string[];
  /** A raw bearer token, or null to send no Authorization header at all. */
  token?: string | null;
}

export interface RunningSubgraph {
  url: string;
  server: SubgraphServer;
  /** A principal as the gateway would describe it, with the given scopes. */
  principal(scopes: readonly string[]): Principal;
  /** Signs the gateway's internal token for this subgraph. */
  tokenFor(principal: Principal): Promise<string>;
  /** POSTs a GraphQL operation over real HTTP. */
  graphql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    opts?: CallOptions,
  ): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
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
  });
  const listening: Listening = await listen(server.app, 0, '127.0.0.1');
  server.markReady();

  const principal = (scopes: readonly string[]): Principal => ({
    subject: 'test-user',
    kind: 'user',
    organisationCode: null,
    roles: [],
    scopes,
    jurisdictions: [{ unitCode: null, includeDescendants: true }],
    purpose: null,
    requestId: randomUUID(),
  });
  const tokenFor = (p: Principal) => signInternalToken(signing, p, name);

  return {
    url: `${listening.url}/graphql`,
    server,
    principal,
    tokenFor,
    async graphql<T>(
      query: string,
      variables: Record<string, unknown> = {},
      opts: CallOptions = {},
    ): Promise<GraphQLResponse<T>> {
      const token = opts.token === undefined ? await tokenFor(principal(opts.scopes ?? [])) : opts.token;
      const res = await fetch(`${listening.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, body: (await res.json()) as GraphQLResponse<T>['body'] };
    },
    async close() {
      await listening.close(1_000);
      await server.stop();
    },
  };
}
