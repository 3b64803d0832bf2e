import { createPublicKey, createSign, generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { DEV_AUDIENCE, DEV_ISSUER, issueToken } from '../../gateway/dev-issuer';
import { generateSigningKey } from '../../subgraphs/kit/keys';
import { SUBGRAPHS } from '../../subgraphs/kit/module';
import { DEV_SUBJECTS } from '../../subgraphs/organisations/seed';
import { startStack, type Stack } from '../stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.stop();
});

const QUERY = { query: '{ organisations { code name } }' };
const totalCalls = () => SUBGRAPHS.reduce((n, s) => n + stack.subgraphCalls[s], 0);
const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

async function expectRejected(headers: Record<string, string>): Promise<void> {
  const before = totalCalls();
  const res = await stack.post(QUERY, headers);
  expect(res.status).toBe(401);
  expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  expect(res.body.data).toBeUndefined();
  expect(totalCalls()).toBe(before); // no subgraph was called, not even for grants
}

describe('the gateway refuses bad tokens with 401 and calls no subgraph', () => {
  test('missing token', () => expectRejected({}));

  test('malformed Authorization header', () => expectRejected({ authorization: 'Basic Zm9vOmJhcg==' }));

  test('expired token', async () => {
    const token = await issueToken(stack.issuer.signing, 'dev-analyst', { expiresIn: now() - 120 });
    await expectRejected({ authorization: `Bearer ${token}` });
  });

  test('wrong audience', async () => {
    const token = await issueToken(stack.issuer.signing, 'dev-analyst', { audience: 'another-api' });
    await expectRejected({ authorization: `Bearer ${token}` });
  });

  test('wrong issuer', async () => {
    const token = await issueToken(stack.issuer.signing, 'dev-analyst', { issuer: 'https://evil.example' });
    await expectRejected({ authorization: `Bearer ${token}` });
  });

  test('alg none', async () => {
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'dev-centre-admin', iss: DEV_ISSUER, aud: DEV_AUDIENCE, exp: now() + 600 })}.`;
    await expectRejected({ authorization: `Bearer ${token}` });
  });

  test('HS256 signed with the public key as the secret', async () => {
    const publicJwk = stack.issuer.jwks.keys[0]!;
    const secret = Buffer.from(JSON.stringify(publicJwk));
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', kid: publicJwk.kid })
      .setSubject('dev-centre-admin')
      .setIssuer(DEV_ISSUER)
      .setAudience(DEV_AUDIENCE)
      .setExpirationTime('10m')
      .sign(secret);
    await expectRejected({ authorization: `Bearer ${token}` });
  });

  test('a key the issuer never published', async () => {
    const stranger = await generateSigningKey('test-issuer-1'); // same kid, different key
    const token = await issueToken(stranger.signing, 'dev-centre-admin');
    await expectRejected({ authorization: `Bearer ${token}` });
    const unknownKid = await generateSigningKey('unknown-kid');
    await expectRejected({ authorization: `Bearer ${await issueToken(unknownKid.signing, 'dev-centre-admin')}` });
  });

  test('tampered payload', async () => {
    const token = await issueToken(stack.issuer.signing, 'dev-analyst');
    const [h, , s] = token.split('.');
    const forged = `${h}.${b64({ sub: 'dev-centre-admin', iss: DEV_ISSUER, aud: DEV_AUDIENCE, exp: now() + 600 })}.${s}`;
    await expectRejected({ authorization: `Bearer ${forged}` });
  });

  test('RS256 from an unknown RSA key', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const header = b64({ alg: 'RS256', typ: 'JWT', kid: 'test-issuer-1' });
    const payload = b64({ sub: 'dev-centre-admin', iss: DEV_ISSUER, aud: DEV_AUDIENCE, exp: now() + 600 });
    const sig = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(privateKey).toString('base64url');
    expect(createPublicKey(privateKey).asymmetricKeyType).toBe('rsa');
    await expectRejected({ authorization: `Bearer ${header}.${payload}.${sig}` });
  });

  test('client-sent identity headers are ignored', async () => {
    await expectRejected({
      'x-user-id': 'dev-centre-admin',
      'x-subject': 'dev-centre-admin',
      'x-roles': 'centre_admin',
    });
  });
});

describe('valid tokens', () => {
  test.each(DEV_SUBJECTS)('a token for seeded subject %s works', async (subject) => {
    const before = totalCalls();
    const res = await stack.as(subject).query<{ organisations: { code: string }[] }>('{ organisations { code } }');
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.organisations.length).toBeGreaterThanOrEqual(9);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(totalCalls()).toBeGreaterThan(before); // the counter the 401 cases rely on does count
  });

  test('an identity with no account in the federation is refused with 403', async () => {
    const res = await stack.as('nobody-known').query('{ organisations { code } }');
    expect(res.status).toBe(403);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  test('identity headers next to a valid token do not add roles', async () => {
    const token = await stack.token('dev-analyst');
    const res = await stack.post(
      {
        query: 'mutation { revokeRole(grantId: "00000000-0000-0000-0000-000000000000", reason: "test") { id } }',
      },
      { authorization: `Bearer ${token}`, 'x-roles': 'centre_admin', 'x-scopes': 'grants:write' },
    );
    expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('subgraphs accept only the gateway', () => {
  const operations = [
    { label: '_service', body: { query: '{ _service { sdl } }' } },
    {
      label: '_entities',
      body: {
        query: 'query($r: [_Any!]!) { _entities(representations: $r) { __typename } }',
        variables: { r: [{ __typename: 'Organisation', code: 'X' }] },
      },
    },
  ];
  for (const name of SUBGRAPHS) {
    for (const op of operations) {
      test(`${name}: ${op.label} without the gateway's token is 401`, async () => {
        const res = await fetch(stack.subgraphUrls[name], {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(op.body),
        });
        expect(res.status).toBe(401);
        const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
        expect(body.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
      });
    }

    test(`${name}: a caller's own access token is not accepted by a subgraph`, async () => {
      const res = await fetch(stack.subgraphUrls[name], {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${await stack.token('dev-centre-admin')}`,
        },
        body: JSON.stringify({ query: '{ _service { sdl } }' }),
      });
      expect(res.status).toBe(401);
    });
  }
});
