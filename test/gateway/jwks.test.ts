import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JSONWebKeySet } from 'jose';
import { createAccessTokenVerifier, keyResolver } from '../../gateway/auth';
import { DEV_AUDIENCE, DEV_ISSUER, issueToken } from '../../gateway/dev-issuer';
import { generateSigningKey } from '../../subgraphs/kit/keys';
import type { KeySource } from '../../gateway/config';

const verifierFor = (source: KeySource) =>
  createAccessTokenVerifier({
    keys: keyResolver(source, 0),
    issuer: DEV_ISSUER,
    audience: DEV_AUDIENCE,
    clockToleranceSeconds: 5,
  });

describe('keys from a JWKS URL', () => {
  let served: JSONWebKeySet;
  let fetches = 0;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      fetches += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(served));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('a key added by the provider (rotation) is fetched when a token names its kid', async () => {
    const first = await generateSigningKey('k1');
    const second = await generateSigningKey('k2');
    served = first.jwks;
    const verify = verifierFor({ kind: 'url', url });

    expect((await verify(await issueToken(first.signing, 'dev-analyst'))).subject).toBe('dev-analyst');
    const afterFirst = fetches;
    await expect(verify(await issueToken(second.signing, 'dev-analyst'))).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });

    served = { keys: [...first.jwks.keys, ...second.jwks.keys] };
    expect((await verify(await issueToken(second.signing, 'dev-dpo'))).subject).toBe('dev-dpo');
    expect(fetches).toBeGreaterThan(afterFirst); // refetched for the unknown kid
  });

  test('a verified token is served from the cache without another key fetch or signature check', async () => {
    const key = await generateSigningKey('k3');
    served = key.jwks;
    const verify = verifierFor({ kind: 'url', url });
    const token = await issueToken(key.signing, 'dev-health-01');
    await verify(token);
    const before = fetches;
    served = { keys: [] }; // even if the provider dropped the key, the cached verification stands until expiry
    expect((await verify(token)).subject).toBe('dev-health-01');
    expect(fetches).toBe(before);
  });
});

describe('keys from a JWKS file', () => {
  test('the file is re-read when a token names an unknown kid', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'epf-jwks-'));
    try {
      const path = join(dir, 'jwks.json');
      const first = await generateSigningKey('f1');
      const second = await generateSigningKey('f2');
      await writeFile(path, JSON.stringify(first.jwks));
      const verify = verifierFor({ kind: 'file', path });
      expect((await verify(await issueToken(first.signing, 'dev-analyst'))).subject).toBe('dev-analyst');
      await writeFile(path, JSON.stringify({ keys: [...first.jwks.keys, ...second.jwks.keys] }));
      expect((await verify(await issueToken(second.signing, 'dev-dpo'))).subject).toBe('dev-dpo');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
