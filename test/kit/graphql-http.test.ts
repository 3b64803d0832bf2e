import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { ApolloServer } from '@apollo/server';
import express from 'express';
import { graphqlHttp, routeGraphQL } from '../../subgraphs/kit/graphql-http';
import { listen, type Listening } from '../../subgraphs/kit/http';
import { useSubgraph } from '../subgraph-client';

/**
 * Apollo Server on bare node:http (subgraphs/kit/graphql-http.ts), as the gateway and every
 * subgraph serve GraphQL: routing, body reading and its refusals, and faults, over real HTTP.
 */

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
}

async function send(
  url: string,
  body: string | Uint8Array<ArrayBuffer>,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  let json: Answer['json'] = {};
  try {
    json = JSON.parse(text) as Answer['json'];
  } catch {
    // left empty: the test asserts on `text`
  }
  return { status: res.status, headers: res.headers, text, json };
}

describe('graphqlHttp + routeGraphQL', () => {
  const MAX = 4096;
  const errors: unknown[] = [];
  const log = { error: (obj: unknown) => void errors.push(obj) };
  let listening: Listening;
  let apollo: ApolloServer<{ caller: string }>;

  beforeAll(async () => {
    apollo = new ApolloServer<{ caller: string }>({
      typeDefs: 'type Query { hello(name: String): String, caller: String }',
      resolvers: {
        Query: {
          hello: (_: unknown, { name }: { name?: string }) => `hello ${name ?? 'world'}`,
          caller: (_: unknown, __: unknown, ctx: { caller: string }) => ctx.caller,
        },
      },
      includeStacktraceInErrorResponses: false,
    });
    await apollo.start();
    const serve = graphqlHttp(apollo, { maxBodyBytes: MAX, log });
    const other = express();
    other.get('/other', (_req, res) => {
      res.json({ other: true });
    });
    const graphql = async (req: IncomingMessage, res: ServerResponse) => {
      res.setHeader('x-request-id', 'req-1');
      if (req.headers['x-fail'] === 'before') throw new Error('secret detail at /srv/internal:5432');
      return serve(req, res, async () => ({ caller: String(req.headers['x-caller'] ?? 'nobody') }));
    };
    listening = await listen(routeGraphQL('/graphql', graphql, other, log), 0, '127.0.0.1');
  });
  afterAll(async () => {
    await listening.close(0);
    await apollo.stop();
  });

  test('a POSTed operation is answered with its data, length and JSON type, with the context given', async () => {
    const res = await send(`${listening.url}/graphql`, JSON.stringify({ query: '{ hello caller }' }), {
      'x-caller': 'ana',
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ data: { hello: 'hello world', caller: 'ana' } });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(res.text)));
    expect(res.headers.get('x-request-id')).toBe('req-1');
  });

  test.each(['/graphql/', '/GraphQL', '/graphql?x=1', '/graphql/sub'])(
    '%s is GraphQL too (as Express mounted it)',
    async (path) => {
      const res = await send(`${listening.url}${path}`, JSON.stringify({ query: '{ hello }' }));
      expect(res.json).toEqual({ data: { hello: 'hello world' } });
    },
  );

  test('other paths are Express’s: its routes, and 404 for the rest', async () => {
    const other = await fetch(`${listening.url}/other`);
    expect(await other.json()).toEqual({ other: true });
    expect((await fetch(`${listening.url}/graphqlx`, { method: 'POST' })).status).toBe(404);
  });

  test('GET reads the operation from the query string (with the CSRF preflight header)', async () => {
    const url = `${listening.url}/graphql?query=${encodeURIComponent('{ hello(name: "q") }')}`;
    const res = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
    expect(await res.json()).toEqual({ data: { hello: 'hello q' } });
  });

  test('a gzip-compressed body is read', async () => {
    const body = new Uint8Array(gzipSync(JSON.stringify({ query: `{ hello(name: "zip") }` })));
    const res = await send(`${listening.url}/graphql`, body, { 'content-encoding': 'gzip' });
    expect(res.json).toEqual({ data: { hello: 'hello zip' } });
  });

  test.each([
    ['not JSON', '{"query": ', {}, 400, 'BAD_REQUEST', 'Request body: must be valid JSON'],
    [
      'larger than the limit',
      JSON.stringify({ query: '{ hello }', variables: { pad: 'x'.repeat(MAX) } }),
      {},
      413,
      'PAYLOAD_TOO_LARGE',
      `Request body: must be at most ${MAX} bytes`,
    ],
    [
      'in a charset other than UTF-8',
      JSON.stringify({ query: '{ hello }' }),
      { 'content-type': 'application/json; charset=latin1' },
      415,
      'BAD_REQUEST',
      'Request body: cannot be read (check Content-Type, charset and encoding)',
    ],
    [
      'in an unknown encoding',
      JSON.stringify({ query: '{ hello }' }),
      { 'content-encoding': 'x-unknown' },
      415,
      'BAD_REQUEST',
      'Request body: cannot be read (check Content-Type, charset and encoding)',
    ],
  ])('a body %s is refused in GraphQL shape, with the request id', async (_l, body, headers, status, code, message) => {
    const res = await send(`${listening.url}/graphql`, body, headers);
    expect(res.status).toBe(status);
    expect(res.json.errors?.[0]).toMatchObject({ message, extensions: { code } });
    expect(res.text).toContain('req-1');
    // and the server goes on serving
    expect((await send(`${listening.url}/graphql`, JSON.stringify({ query: '{ hello }' }))).status).toBe(200);
  });

  test('a POST without a JSON body is a GraphQL 400, not a crash', async () => {
    const res = await send(`${listening.url}/graphql`, 'query=x', { 'content-type': 'text/plain' });
    expect(res.status).toBe(400);
  });

  test('a fault before Apollo Server is logged and answered 500 with nothing of it', async () => {
    errors.length = 0;
    const res = await send(`${listening.url}/graphql`, JSON.stringify({ query: '{ hello }' }), { 'x-fail': 'before' });
    expect(res.status).toBe(500);
    expect(res.json.errors?.[0]).toMatchObject({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(res.text).not.toMatch(/secret|srv|5432|at /);
    expect(errors).toHaveLength(1);
  });
});

describe('a subgraph served this way', () => {
  const organisations = useSubgraph('organisations');

  test('no gateway token: 401 before the body is read, even an unreadable one', async () => {
    const res = await send(organisations.url, '{"query": ');
    expect(res.status).toBe(401);
    expect(res.json.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  test('a body that is not JSON: 400 in GraphQL shape with the gateway’s request id (not an HTML page)', async () => {
    const res = await send(organisations.url, '{"query": ', {
      authorization: `Bearer ${await organisations.token({ requestId: 'gateway-request-7' })}`,
      'x-request-id': 'gateway-request-7',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.json.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_REQUEST' } });
    expect(res.headers.get('x-request-id')).toBe('gateway-request-7');
  });

  test('over 2 MB: 413 naming the limit', async () => {
    const body = JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(2 * 1024 * 1024) } });
    const res = await send(organisations.url, body, { authorization: `Bearer ${await organisations.token()}` });
    expect(res.status).toBe(413);
    expect(res.json.errors?.[0]?.message).toBe('Request body: must be at most 2097152 bytes');
  });
});
