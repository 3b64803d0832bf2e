import { readFileSync } from 'node:fs';
import { loadGatewayConfig } from '../../gateway/config';
import { DEFAULT_LIMITS } from '../../gateway/limits';
import { sha256Hex } from '../../gateway/trusted-documents/manifests';
import { SUBGRAPHS } from '../../subgraphs/kit/module';
import { schemaFile } from '../../subgraphs/kit/paths';
import { startStack, type GraphQLResponse, type Stack } from '../stack';

/**
 * Bad input and abuse at the gateway (issue 7), through the real stack. The stack runs with the
 * production policies: introspection for staff only, trusted documents enforced.
 */
let stack: Stack;
let staffToken: string;
beforeAll(async () => {
  stack = await startStack({
    principalCacheMs: 60_000,
    gatewayPolicy: { introspection: 'staff', trustedDocuments: { enforce: true } },
  });
  staffToken = await stack.token('dev-centre-admin');
});
afterAll(async () => {
  await stack.stop();
});

const asStaff = (body: unknown) => stack.post(body, { authorization: `Bearer ${staffToken}` });
const totalCalls = () => SUBGRAPHS.reduce((n, s) => n + stack.subgraphCalls[s], 0);

function expectRefused(res: GraphQLResponse, status: number, code: string, message: RegExp): void {
  expect(res.status).toBe(status);
  expect(res.body.data ?? undefined).toBeUndefined();
  expect(res.body.errors?.[0]?.extensions?.code).toBe(code);
  expect(res.body.errors?.[0]?.message).toMatch(message);
}

describe('operation limits answer 400 with the limit named, before any subgraph call', () => {
  test('depth', async () => {
    const nest = (n: number): string => (n === 0 ? 'code' : `parent { ${nest(n - 1)} }`);
    const ok = await asStaff({ query: `{ administrativeUnit(code: "79") { ${nest(DEFAULT_LIMITS.maxDepth - 2)} } }` });
    expect(ok.status).toBe(200);
    const before = totalCalls();
    const res = await asStaff({ query: `{ administrativeUnit(code: "79") { ${nest(DEFAULT_LIMITS.maxDepth)} } }` });
    expectRefused(res, 400, 'GRAPHQL_VALIDATION_FAILED', /depth limit of 12 exceeded/);
    expect(totalCalls()).toBe(before);
  });

  test('aliases', async () => {
    const fields = Array.from({ length: DEFAULT_LIMITS.maxAliases + 1 }, (_, i) => `a${i}: code`).join(' ');
    const res = await asStaff({ query: `{ administrativeUnit(code: "79") { ${fields} } }` });
    expectRefused(res, 400, 'GRAPHQL_VALIDATION_FAILED', /Aliases limit of 30 exceeded/);
  });

  test('directives', async () => {
    const fields = Array.from({ length: DEFAULT_LIMITS.maxDirectives + 1 }, () => `code @include(if: true)`).join(' ');
    const res = await asStaff({ query: `{ administrativeUnit(code: "79") { ${fields} } }` });
    expectRefused(res, 400, 'GRAPHQL_VALIDATION_FAILED', /Directives limit of 30 exceeded/);
  });

  test('tokens: an oversized document is refused while parsing (400, not 500)', async () => {
    const res = await asStaff({ query: `{ ${'__typename '.repeat(DEFAULT_LIMITS.maxTokens + 10)} }` });
    expectRefused(res, 400, 'GRAPHQL_PARSE_FAILED', /5000 tokens/);
  });

  test('cost: nested lists under a large page', async () => {
    const query = `query($n: Int) { administrativeUnits(first: $n) { edges { node {
      children { children { children { code name } } } } } } }`;
    const res = await asStaff({ query, variables: { n: 200 } });
    expectRefused(res, 400, 'GRAPHQL_VALIDATION_FAILED', /Operation cost \d+ exceeds the limit of 20000/);
    expect(res.body.errors?.[0]?.extensions?.reason).toBe('COST_LIMIT');
    // the same shape on a small page is within the limit
    const small = await asStaff({ query, variables: { n: 2 } });
    expect(small.status).toBe(200);
    expect(small.body.errors).toBeUndefined();
    // the cost is remembered per document and value of `first`: the large page is still refused
    const again = await asStaff({ query, variables: { n: 200 } });
    expectRefused(again, 400, 'GRAPHQL_VALIDATION_FAILED', /Operation cost \d+ exceeds the limit of 20000/);
  });

  test("cost: a page given as the variable's declared default is costed at that default, as it runs", async () => {
    // 1 + first × 213: within the limit at the default page size (20), over it at 200
    const shape = `administrativeUnits(first: $n) { edges { node { children { children { code name } } } } }`;
    const byDefault = await asStaff({ query: `query($n: Int = 200) { ${shape} }` });
    expectRefused(byDefault, 400, 'GRAPHQL_VALIDATION_FAILED', /Operation cost 42601 exceeds the limit of 20000/);
    const small = await asStaff({ query: `query($n: Int = 20) { ${shape} }` });
    expect(small.body.errors).toBeUndefined();
  });

  test('page size: `first` above the maximum is BAD_USER_INPUT naming the field', async () => {
    const res = await asStaff({ query: '{ administrativeUnits(first: 201) { edges { node { code } } } }' });
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect(res.body.errors?.[0]?.message).toBe('first: must be at most 200');
  });

  test('request body size: 413, and the server keeps serving', async () => {
    const huge = { query: '{ __typename }', variables: { pad: 'x'.repeat(DEFAULT_LIMITS.maxBodyBytes + 1) } };
    const res = await asStaff(huge);
    expectRefused(res, 413, 'PAYLOAD_TOO_LARGE', /Request body: must be at most 1048576 bytes/);
    const next = await asStaff({ query: '{ __typename }' });
    expect(next.status).toBe(200);
    expect(next.body.data).toEqual({ __typename: 'Query' });
  });

  test('a body that is not JSON is a 400 in GraphQL shape, not an HTML page', async () => {
    const res = await stack.post('{"query": ', { authorization: `Bearer ${staffToken}` });
    expectRefused(res, 400, 'BAD_REQUEST', /must be valid JSON/);
  });
});

describe('variables are checked at the gateway, before any subgraph call (gateway/variables.ts)', () => {
  const FEEDBACK =
    'query($f: FeedbackFilter, $n: Int) { feedbackList(filter: $f, first: $n) { pageInfo { hasNextPage } } }';
  // a health official: staff (ad-hoc documents) with feedback:read, so the field is not trimmed away
  const asOfficial = async (body: unknown) =>
    stack.post(body, { authorization: `Bearer ${await stack.token('dev-health-01')}` });
  // the official's grants looked up once (an organisations call) before counting calls
  beforeAll(async () => {
    expect((await asOfficial({ query: '{ __typename }' })).status).toBe(200);
  });

  test.each([
    [
      { f: { status: 'NO_SUCH_STATUS' } },
      /^Variable "\$f" got invalid value "NO_SUCH_STATUS" at "f.status"; Value "NO_SUCH_STATUS" does not exist in "FeedbackStatus" enum\.$/,
    ],
    [
      { f: { colour: 'red' } },
      /^Variable "\$f" got invalid value \{ colour: "red" \}; Field "colour" is not defined by type "FeedbackFilter"\.$/,
    ],
    [
      { f: {}, n: 'twenty' },
      /^Variable "\$n" got invalid value "twenty"; Int cannot represent non-integer value: "twenty"$/,
    ],
  ])("%j: refused with graphql-js's own message", async (variables, message) => {
    const before = totalCalls();
    const res = await asOfficial({ query: FEEDBACK, variables });
    expectRefused(res, 400, 'BAD_USER_INPUT', message);
    expect(totalCalls()).toBe(before);
  });

  test('valid variables go through', async () => {
    const res = await asOfficial({ query: FEEDBACK, variables: { f: { status: 'RECEIVED' }, n: 5 } });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toEqual({ feedbackList: { pageInfo: { hasNextPage: expect.any(Boolean) as unknown } } });
  });
});

describe('HTTP protections', () => {
  test('array batching is refused', async () => {
    const res = await asStaff([{ query: '{ __typename }' }, { query: '{ __typename }' }]);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/batch/i);
  });

  test('CSRF prevention: a simple GET without a preflight header is refused', async () => {
    const url = `${stack.gatewayUrl}?query=${encodeURIComponent('{ __typename }')}`;
    const simple = await fetch(url, { headers: { authorization: `Bearer ${staffToken}` } });
    expect(simple.status).toBe(400);
    expect(await simple.text()).toMatch(/CSRF/);
    const preflighted = await fetch(url, {
      headers: { authorization: `Bearer ${staffToken}`, 'apollo-require-preflight': 'true' },
    });
    expect(preflighted.status).toBe(200);
  });

  test('a typo gets no field suggestion', async () => {
    const res = await asStaff({ query: '{ organisationz { code } }' });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.message).toBe('Cannot query field "organisationz" on type "Query".');
    expect(JSON.stringify(res.body)).not.toMatch(/Did you mean/);
  });

  test.each([
    ['_service', '{ _service { sdl } }'],
    ['_entities', '{ _entities(representations: [{ __typename: "Organisation", code: "X" }]) { __typename } }'],
  ])('%s is not reachable through the gateway', async (_label, query) => {
    const before = totalCalls();
    const res = await asStaff({ query });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(totalCalls()).toBe(before);
  });
});

/** A new service account with one role, as an admin registers one. */
async function newServiceClient(subject: string, role: string): Promise<string> {
  const user = await asStaff({
    query: `mutation($s: String!) { registerUser(input: { subject: $s, kind: SERVICE, displayName: "Client", organisationCode: "MOH-DIT" }) { id } }`,
    variables: { s: subject },
  });
  expect(user.body.errors).toBeUndefined();
  const { id } = (user.body.data as { registerUser: { id: string } }).registerUser;
  const grant = await asStaff({
    query: `mutation($u: ID!, $r: RoleName!) { grantRole(input: { userId: $u, role: $r }) { id } }`,
    variables: { u: id, r: role },
  });
  expect(grant.body.errors).toBeUndefined();
  return subject;
}

describe('introspection: staff only (the production policy)', () => {
  const INTROSPECT = '{ __schema { queryType { name } } }';

  test.each(['dev-centre-admin', 'dev-analyst', 'dev-health-01'])('staff %s may introspect', async (subject) => {
    const res = await stack.as(subject).query(INTROSPECT);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  test('a feed client (service account, data_consumer) may not, through __schema or __type', async () => {
    const subject = await newServiceClient('svc-feed-1', 'DATA_CONSUMER');
    for (const query of [INTROSPECT, '{ __type(name: "Query") { name } }']) {
      const res = await stack.as(subject).query(query);
      expectRefused(res, 403, 'FORBIDDEN', /Introspection is allowed for staff only/);
      expect(res.body.errors?.[0]?.extensions?.reason).toBe('INTROSPECTION_NOT_ALLOWED');
    }
  });

  test('production configuration: staff-only introspection and trusted documents by default', () => {
    const env = {
      NODE_ENV: 'production',
      AUTH_ISSUER: 'https://id.example.gov.vn',
      AUTH_AUDIENCE: 'epidemic-federation',
      AUTH_JWKS_URL: 'https://id.example.gov.vn/jwks.json',
      INTERNAL_SIGNING_KEY_FILE: '/run/secrets/internal.json',
    };
    const cfg = loadGatewayConfig(env);
    expect(cfg.introspection).toBe('staff');
    expect(cfg.trustedDocuments.enforce).toBe(true);
    expect(cfg.rateLimit.enabled).toBe(true);
    expect(loadGatewayConfig({ ...env, INTROSPECTION: 'false' }).introspection).toBe(false);
    expect(() => loadGatewayConfig({ ...env, INTROSPECTION: 'true' })).toThrow(/INTROSPECTION must be off/);
    expect(() => loadGatewayConfig({ ...env, MAX_DEPTH: '0' })).toThrow(/MAX_DEPTH must be between 1 and 100/);
  });
});

describe('trusted documents: a consumer app runs only its manifest', () => {
  const manifest = JSON.parse(readFileSync(schemaFile('operations/consumer-app.json'), 'utf8')) as {
    operations: { id: string; name: string; body: string }[];
  };
  const op = (name: string) => manifest.operations.find((o) => o.name === name)!;
  const app = async (body: unknown, clientId?: string) =>
    stack.post(body, { authorization: `Bearer ${await stack.token('dev-consumer-79', { clientId })}` });

  test('a registered operation by its hash (persisted-query extension)', async () => {
    const unit = op('AdministrativeUnit');
    const res = await app({
      variables: { code: '79' },
      extensions: { persistedQuery: { version: 1, sha256Hash: unit.id } },
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ administrativeUnit: expect.objectContaining({ code: '79' }) });
  });

  test('a registered operation as its full document (its hash is listed)', async () => {
    const unit = op('AdministrativeUnit');
    expect(sha256Hex(unit.body)).toBe(unit.id);
    const res = await app({ query: unit.body, variables: { code: '01' } });
    expect(res.body.data).toEqual({ administrativeUnit: expect.objectContaining({ code: '01' }) });
  });

  test('a registered mutation reaches its subgraph, which judges the input', async () => {
    const res = await app({
      extensions: { persistedQuery: { version: 1, sha256Hash: op('SubmitFeedback').id } },
      variables: { input: { category: 'NOT_A_CATEGORY' } },
    });
    expect(res.body.errors?.[0]?.extensions?.code).not.toBe('OPERATION_NOT_IN_MANIFEST');
  });

  test('an ad-hoc operation is refused with 403 OPERATION_NOT_IN_MANIFEST, whatever client it claims', async () => {
    for (const clientId of [undefined, 'unregistered-app']) {
      const before = totalCalls();
      const res = await app({ query: '{ organisations { code } }' }, clientId);
      expectRefused(res, 403, 'OPERATION_NOT_IN_MANIFEST', /schema\/operations\/consumer-app\.json/);
      expect(totalCalls()).toBe(before);
    }
  });

  test('a client whose token names a registered manifest is bound to it, whatever its role', async () => {
    const subject = await newServiceClient('svc-feed-2', 'DATA_CONSUMER');
    const token = await stack.token(subject, { clientId: 'consumer-app' });
    const res = await stack.post({ query: '{ organisations { code } }' }, { authorization: `Bearer ${token}` });
    expectRefused(res, 403, 'OPERATION_NOT_IN_MANIFEST', /consumer-app/);
    const unbound = await stack.as(subject).query('{ organisations { code } }');
    expect(unbound.body.errors).toBeUndefined();
  });

  test('an unknown hash is PERSISTED_QUERY_NOT_FOUND', async () => {
    const res = await app({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256Hex('{ nothing }') } } });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(res.body.data ?? undefined).toBeUndefined();
  });

  test('staff may run ad-hoc operations, and registered ones by hash', async () => {
    const adHoc = await asStaff({ query: '{ organisations { code } }' });
    expect(adHoc.body.errors).toBeUndefined();
    const byHash = await asStaff({
      variables: { code: '79' },
      extensions: { persistedQuery: { version: 1, sha256Hash: op('AdministrativeUnit').id } },
    });
    expect(byHash.body.data).toEqual({ administrativeUnit: expect.objectContaining({ code: '79' }) });
  });
});
