import { createLocalJWKSet } from 'jose';
import { listen, type Listening } from '../../subgraphs/kit/http';
import { createInternalTokenVerifier, signInternalToken } from '../../subgraphs/kit/internal-token';
import { generateSigningKey, type GeneratedKeyPair } from '../../subgraphs/kit/keys';
import { silentLogger } from '../../subgraphs/kit/logger';
import { createSubgraphServer, readSubgraphSdl } from '../../subgraphs/kit/server';
import { applyAccessShield } from '../../subgraphs/kit/shield';
import { MODULES } from '../../subgraphs/registry';
import { TEST_PSEUDONYM_KEY } from '../factories/citizens';
import { createTestDatabase, type TestDatabase } from '../databases';
import { testPrincipal } from '../subgraph-client';

let db: TestDatabase;
let key: GeneratedKeyPair;
let listening: Listening;
let stop: () => Promise<void>;

beforeAll(async () => {
  db = await createTestDatabase('organisations');
  key = await generateSigningKey();
  const sdl = readSubgraphSdl('organisations');
  const server = await createSubgraphServer({
    name: 'organisations',
    resolvers: MODULES.organisations.resolvers,
    dataSource: db.dataSource,
    verifyToken: createInternalTokenVerifier(createLocalJWKSet(key.jwks), 'organisations'),
    logger: silentLogger(),
    pseudonymKey: TEST_PSEUDONYM_KEY,
    transformSchema: (schema) => applyAccessShield(sdl, schema),
  });
  server.markReady();
  listening = await listen(server.handler, 0, '127.0.0.1');
  stop = async () => {
    await listening.close(0);
    await server.stop();
  };
});
afterAll(async () => {
  await stop();
  await db.drop();
});

async function query(scopes: string[], q: string, variables?: Record<string, unknown>) {
  const token = await signInternalToken(key.signing, testPrincipal({ scopes }), 'organisations');
  const res = await fetch(`${listening.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: q, variables }),
  });
  return (await res.json()) as {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: unknown[]; extensions?: { code?: string; field?: string } }[];
  };
}

const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Organisation { code name } ... on AdministrativeUnit { code name } } }`;

test('_entities still resolves after the shield is applied, for a caller with the scopes', async () => {
  const res = await query(['org:read'], ENTITIES, {
    r: [
      { __typename: 'Organisation', code: 'BKAV' },
      { __typename: 'AdministrativeUnit', code: '79' },
      { __typename: 'Organisation', code: 'NOPE' },
    ],
  });
  expect(res.errors).toBeUndefined();
  expect(res.data?._entities).toEqual([
    { code: 'BKAV', name: expect.any(String) as unknown },
    { code: '79', name: 'Thành phố Hồ Chí Minh' },
    null,
  ]);
});

test('entity fields stay protected through _entities: a caller without the scope gets FORBIDDEN', async () => {
  const res = await query([], ENTITIES, { r: [{ __typename: 'Organisation', code: 'BKAV' }] });
  expect(res.errors?.map((e) => e.extensions?.code)).toContain('FORBIDDEN');
  expect(res.data).toEqual({ _entities: [null] });
});

test('personal fields need their own scope; validation errors keep their code through the shield', async () => {
  const users = await query(['grants:read'], '{ users(first: 1) { edges { node { subject email } } } }');
  expect(users.errors?.[0]).toMatchObject({
    extensions: { code: 'FORBIDDEN' },
    path: ['users', 'edges', 0, 'node', 'email'],
  });
  const bad = await query(['grants:read'], '{ users(first: 5000) { edges { node { subject } } } }');
  expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
});

test('the internal principal lookup is reachable only with its scope', async () => {
  const q = '{ resolvePrincipal(subject: "dev-analyst") { subject grants { role } } }';
  expect((await query(['org:read', 'grants:read'], q)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  expect((await query(['internal:principal'], q)).data).toEqual({
    resolvePrincipal: { subject: 'dev-analyst', grants: [{ role: 'analyst' }] },
  });
});
