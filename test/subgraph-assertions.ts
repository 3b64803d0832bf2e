import type { Principal } from '../subgraphs/kit/principal';
import type { GraphQLResponse, TestSubgraph } from './subgraph-client';

/** Sends `query` with no gateway token at all and expects HTTP 401 UNAUTHENTICATED. */
export async function expectUnauthenticated(subgraph: TestSubgraph, query: string): Promise<GraphQLResponse> {
  const res = await subgraph.query(query, { token: null });
  expect(res.status).toBe(401);
  expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  return res;
}

/** Sends `query` as `principal` and expects exactly one error, FORBIDDEN. */
export async function expectForbidden(
  subgraph: TestSubgraph,
  query: string,
  principal: Partial<Principal>,
): Promise<GraphQLResponse> {
  const res = await subgraph.query(query, { principal });
  expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
  return res;
}

export interface Connection<N> {
  edges: { cursor: string; node: N }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/**
 * Reads exactly `pages` pages of a connection, each after the previous page's end cursor (the
 * first with `after: null`), expecting `hasNextPage` on every page but the last. Returns the
 * nodes in the order served.
 */
export async function pageThrough<N>(
  pages: number,
  fetchPage: (after: string | null) => Promise<Connection<N>>,
): Promise<N[]> {
  const nodes: N[] = [];
  let after: string | null = null;
  for (let page = 0; page < pages; page++) {
    const list: Connection<N> = await fetchPage(after);
    nodes.push(...list.edges.map((e) => e.node));
    expect(list.pageInfo.hasNextPage).toBe(page < pages - 1);
    after = list.pageInfo.endCursor;
  }
  return nodes;
}
