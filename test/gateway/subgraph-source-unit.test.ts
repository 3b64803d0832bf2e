import { RemoteGraphQLDataSource } from '@apollo/gateway';
import type { FetcherRequestInit, FetcherResponse } from '@apollo/utils.fetcher';
import { Headers as NodeFetchHeaders } from 'node-fetch';
import type { GatewayContext } from '../../gateway/context';
import type { CallerPrincipal } from '../../gateway/principals';
import { callerDigest, requestPrincipal, SignedSubgraphSource, SubgraphTransport } from '../../gateway/subgraph-source';

/**
 * SignedSubgraphSource replaces RemoteGraphQLDataSource's sendRequest (private in its types) with
 * one that skips the node-fetch Request the original builds and never uses here. It must send
 * exactly what the original sends and answer as it does.
 */

type SendRequest = (request: unknown, context: GatewayContext) => Promise<Record<string, unknown>>;
const sendRequestOf = (o: object): SendRequest => (o as { sendRequest: SendRequest }).sendRequest;

function answer(body: unknown, status = 200): FetcherResponse {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText: 'x',
    url: 'http://subgraph.invalid/graphql',
    redirected: false,
    headers: new Headers({ 'content-type': 'application/json' }),
    text: async () => text,
    json: async () => JSON.parse(text) as unknown,
    clone() {
      return answer(body, status);
    },
  } as unknown as FetcherResponse;
}

const request = () => ({
  query: 'query($n: Int) { checkpoints(first: $n) { id } }',
  variables: { n: 20, list: [1, 'two', null] },
  operationName: null,
  http: {
    url: 'http://subgraph.invalid/graphql',
    method: 'POST',
    headers: new Headers({ 'content-type': 'application/json', authorization: 'Bearer t' }),
  },
});
const context = {} as GatewayContext;

let transport: SubgraphTransport;
beforeAll(() => {
  transport = new SubgraphTransport();
});
afterAll(async () => {
  await transport.close();
});

function sourceRecording(reply: () => FetcherResponse) {
  const source = new SignedSubgraphSource(
    'http://subgraph.invalid/graphql',
    'checkpoints',
    () => {
      throw new Error('no token is signed here');
    },
    transport,
  );
  const sent: { url: string; init: FetcherRequestInit }[] = [];
  source.fetcher = async (url, init) => {
    sent.push({ url, init: init! });
    return reply();
  };
  return { source, sent };
}

test('the method it replaces still exists in @apollo/gateway (an upgrade that renames it fails here)', () => {
  expect(typeof sendRequestOf(RemoteGraphQLDataSource.prototype)).toBe('function');
  const { source } = sourceRecording(() => answer({ data: {} }));
  expect(sendRequestOf(source)).not.toBe(sendRequestOf(RemoteGraphQLDataSource.prototype));
});

test('sends what RemoteGraphQLDataSource sends, and answers as it does', async () => {
  const ours = sourceRecording(() => answer({ data: { checkpoints: [] } }));
  const theirs = sourceRecording(() => answer({ data: { checkpoints: [] } }));
  const mine = await sendRequestOf(ours.source).call(ours.source, request(), context);
  const base = await sendRequestOf(RemoteGraphQLDataSource.prototype).call(theirs.source, request(), context);
  expect(ours.sent).toEqual(theirs.sent);
  expect(ours.sent[0]!.init.body).toBe(
    JSON.stringify({
      query: 'query($n: Int) { checkpoints(first: $n) { id } }',
      variables: { n: 20, list: [1, 'two', null] },
      operationName: null,
    }),
  );
  expect(ours.sent[0]!.init.headers).toEqual({ 'content-type': 'application/json', authorization: 'Bearer t' });
  expect({ ...mine, http: null }).toEqual({ ...base, http: null });
  expect(mine.data).toEqual({ checkpoints: [] });
});

test('a body that is not a JSON object, and an HTTP error, fail as they do with RemoteGraphQLDataSource', async () => {
  for (const reply of [() => answer('"just a string"'), () => answer({ errors: [{ message: 'no' }] }, 400)]) {
    const ours = sourceRecording(reply);
    const theirs = sourceRecording(reply);
    const mine = await sendRequestOf(ours.source)
      .call(ours.source, request(), context)
      .catch((e: Error) => e);
    const base = await sendRequestOf(RemoteGraphQLDataSource.prototype)
      .call(theirs.source, request(), context)
      .catch((e: Error) => e);
    expect(mine).toBeInstanceOf(Error);
    expect((mine as Error).message).toBe((base as Error).message);
  }
});

test('headers built as RemoteGraphQLDataSource builds them (node-fetch) are sent as iterating them gives', async () => {
  const headers = new NodeFetchHeaders();
  headers.set('Content-Type', 'application/json');
  headers.set('Authorization', 'Bearer t');
  headers.append('X-Multi', 'a');
  headers.append('x-multi', 'b');
  const expected = Object.fromEntries(headers);
  expect(expected).toEqual({ 'content-type': 'application/json', authorization: 'Bearer t', 'x-multi': 'a, b' });
  const { source, sent } = sourceRecording(() => answer({ data: {} }));
  await sendRequestOf(source).call(source, { ...request(), http: { ...request().http, headers } }, context);
  expect(sent[0]!.init.headers).toEqual(expected);
});

describe('requestPrincipal', () => {
  const caller: CallerPrincipal = {
    subject: 'u-1',
    kind: 'user',
    organisationCode: 'HCDC',
    roles: ['checkpoint_officer'],
    scopes: ['passage:read'],
    jurisdictions: [{ unitCode: '79', includeDescendants: true }],
  };

  test('is the caller with purpose and request id, and its digest is the one computed from scratch', () => {
    const p = requestPrincipal(caller, 'contact tracing', 'r-1');
    expect(p).toEqual({ ...caller, purpose: 'contact tracing', requestId: 'r-1' });
    expect(callerDigest(p)).toBe(callerDigest({ ...caller, purpose: 'contact tracing', requestId: 'other' }));
  });

  test('one digest per caller and purpose, whatever the request id; another purpose or caller, another digest', () => {
    const a = callerDigest(requestPrincipal(caller, 'contact tracing', 'r-1'));
    expect(callerDigest(requestPrincipal(caller, 'contact tracing', 'r-2'))).toBe(a);
    expect(callerDigest(requestPrincipal(caller, null, 'r-3'))).not.toBe(a);
    expect(callerDigest(requestPrincipal({ ...caller, roles: [] }, 'contact tracing', 'r-4'))).not.toBe(a);
    expect(callerDigest(requestPrincipal({ ...caller, subject: 'u-2' }, 'contact tracing', 'r-5'))).not.toBe(a);
  });

  test('a caller with ever new purposes still gets the right digest past the ones remembered', () => {
    const fresh: CallerPrincipal = { ...caller, subject: 'u-many' };
    for (let i = 0; i < 40; i++) {
      const p = requestPrincipal(fresh, `purpose ${i}`, `r-${i}`);
      expect(callerDigest(p)).toBe(callerDigest({ ...fresh, purpose: `purpose ${i}`, requestId: 'x' }));
    }
  });
});
