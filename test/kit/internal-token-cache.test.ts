import { createLocalJWKSet, decodeJwt, type JWTVerifyGetKey } from 'jose';
import { InternalTokenCache, INTERNAL_TOKEN_REUSE_MIN_LEFT_SECONDS } from '../../gateway/subgraph-source';
import {
  createInternalTokenVerifier,
  INTERNAL_TOKEN_TTL_SECONDS,
  signInternalToken,
} from '../../subgraphs/kit/internal-token';
import { generateSigningKey, type GeneratedKeyPair } from '../../subgraphs/kit/keys';
import { testPrincipal } from '../subgraph-client';

let key: GeneratedKeyPair;
let other: GeneratedKeyPair;
beforeAll(async () => {
  key = await generateSigningKey('k1');
  other = await generateSigningKey('k2');
});
afterEach(() => jest.restoreAllMocks());

/** A key resolver over a key set the test can swap, counting full signature checks. */
function keySet(initial: GeneratedKeyPair['jwks']) {
  let jwks = createLocalJWKSet(initial);
  const state = {
    verifications: 0,
    replace: (next: GeneratedKeyPair['jwks']) => (jwks = createLocalJWKSet(next)),
    resolver: (async (header, token) => {
      if (token.signature) state.verifications += 1; // jose passes the real token; a cache check passes none
      return jwks(header, token);
    }) as JWTVerifyGetKey,
  };
  return state;
}

describe('subgraph: verified internal tokens are remembered', () => {
  it('verifies a reused token once, and takes the request id from the header when the token has none', async () => {
    const keys = keySet(key.jwks);
    const verify = createInternalTokenVerifier(keys.resolver, 'checkpoints');
    const token = await signInternalToken(key.signing, testPrincipal(), 'checkpoints', 60, { withRequestId: false });
    expect(decodeJwt(token).rid).toBeUndefined();

    const first = await verify(token, 'req-1');
    const second = await verify(token, 'req-2');
    expect(keys.verifications).toBe(1);
    expect(first.requestId).toBe('req-1');
    expect(second.requestId).toBe('req-2');
    expect(second.subject).toBe(testPrincipal().subject);
    // a malformed header id is not taken: a fresh id instead
    const third = await verify(token, 'x'.repeat(200));
    expect(third.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const fourth = await verify(token, 'bad id\nwith newline');
    expect(fourth.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("keeps a token's own request id over the header", async () => {
    const verify = createInternalTokenVerifier(keySet(key.jwks).resolver, 'checkpoints');
    const token = await signInternalToken(key.signing, testPrincipal({ requestId: 'bound-id' }), 'checkpoints');
    expect((await verify(token, 'header-id')).requestId).toBe('bound-id');
    expect((await verify(token, 'header-id')).requestId).toBe('bound-id');
  });

  it('refuses a remembered token once its key is dropped from the key set', async () => {
    const keys = keySet(key.jwks);
    const verify = createInternalTokenVerifier(keys.resolver, 'checkpoints');
    const token = await signInternalToken(key.signing, testPrincipal(), 'checkpoints', 60, { withRequestId: false });
    await verify(token, 'a');
    keys.replace(other.jwks); // e.g. a leaked key removed with --force
    await expect(verify(token, 'b')).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    // and a key set re-read with the same key still accepts (after one fresh check)
    keys.replace(key.jwks);
    await expect(verify(token, 'c')).resolves.toMatchObject({ requestId: 'c' });
    expect(keys.verifications).toBe(3); // the first, the refused one, and the re-check
  });

  it('refuses a remembered token after it expired', async () => {
    const verify = createInternalTokenVerifier(keySet(key.jwks).resolver, 'checkpoints');
    const token = await signInternalToken(key.signing, testPrincipal(), 'checkpoints', 60, { withRequestId: false });
    await verify(token, 'a');
    // only the clock is faked (jose reads it through new Date(), the cache through Date.now())
    jest.useFakeTimers({
      doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'queueMicrotask'],
      now: Date.now() + 66_000,
    }); // past exp + the 5 s tolerance
    try {
      await expect(verify(token, 'b')).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    } finally {
      jest.useRealTimers();
    }
  });

  it('still refuses a token for another audience or with a bad signature, cached or not', async () => {
    const verify = createInternalTokenVerifier(keySet(key.jwks).resolver, 'checkpoints');
    const elsewhere = await signInternalToken(key.signing, testPrincipal(), 'movement');
    await expect(verify(elsewhere, 'a')).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    const good = await signInternalToken(key.signing, testPrincipal(), 'checkpoints');
    await verify(good, 'a');
    const forged = `${good.slice(0, good.lastIndexOf('.'))}.${'A'.repeat(86)}`;
    await expect(verify(forged, 'b')).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('verifies every call when the cache is off, and drops the oldest when full', async () => {
    const keys = keySet(key.jwks);
    const off = createInternalTokenVerifier(keys.resolver, 'checkpoints', { cacheSize: 0 });
    const token = await signInternalToken(key.signing, testPrincipal(), 'checkpoints');
    await off(token);
    await off(token);
    expect(keys.verifications).toBe(2);

    const small = keySet(key.jwks);
    const verify = createInternalTokenVerifier(small.resolver, 'checkpoints', { cacheSize: 2 });
    const tokens = await Promise.all(
      ['a', 'b', 'c'].map((s) => signInternalToken(key.signing, testPrincipal({ subject: s }), 'checkpoints')),
    );
    for (const t of tokens) await verify(t);
    expect(small.verifications).toBe(3);
    await verify(tokens[2]!); // still remembered
    await verify(tokens[1]!);
    expect(small.verifications).toBe(3);
    await verify(tokens[0]!); // dropped first
    expect(small.verifications).toBe(4);
  });
});

describe('gateway: signed internal tokens are reused per caller', () => {
  it('gives one caller the same token across requests, without their request ids', async () => {
    const cache = new InternalTokenCache();
    const a = await cache.get(key.signing, testPrincipal({ requestId: 'r1' }), 'checkpoints');
    const b = await cache.get(key.signing, testPrincipal({ requestId: 'r2' }), 'checkpoints');
    expect(b).toBe(a);
    expect(cache.signed).toBe(1);
    const claims = decodeJwt(a);
    expect(claims.rid).toBeUndefined();
    expect(claims.aud).toBe('checkpoints');
    expect((claims.exp as number) - (claims.iat as number)).toBe(INTERNAL_TOKEN_TTL_SECONDS);
  });

  it('never gives a token to another caller, subgraph or key', async () => {
    const cache = new InternalTokenCache();
    const base = await cache.get(key.signing, testPrincipal(), 'checkpoints');
    const others = await Promise.all([
      cache.get(key.signing, testPrincipal({ purpose: 'other purpose' }), 'checkpoints'),
      cache.get(key.signing, testPrincipal({ scopes: ['passages:read'] }), 'checkpoints'),
      cache.get(key.signing, testPrincipal({ subject: 'someone-else' }), 'checkpoints'),
      cache.get(
        key.signing,
        testPrincipal({ jurisdictions: [{ unitCode: '79', includeDescendants: true }] }),
        'checkpoints',
      ),
      cache.get(key.signing, testPrincipal(), 'movement'),
      cache.get(other.signing, testPrincipal(), 'checkpoints'),
    ]);
    expect(new Set([base, ...others]).size).toBe(7);
    expect(decodeJwt(others[0]!).pur).toBe('other purpose');
  });

  it(`signs a new token once the cached one has under ${INTERNAL_TOKEN_REUSE_MIN_LEFT_SECONDS} s left`, async () => {
    const cache = new InternalTokenCache();
    const now = Date.now();
    const first = await cache.get(key.signing, testPrincipal(), 'checkpoints');
    jest
      .spyOn(Date, 'now')
      .mockReturnValue(now + (INTERNAL_TOKEN_TTL_SECONDS - INTERNAL_TOKEN_REUSE_MIN_LEFT_SECONDS) * 1000 - 1_000);
    expect(await cache.get(key.signing, testPrincipal(), 'checkpoints')).toBe(first);
    jest
      .spyOn(Date, 'now')
      .mockReturnValue(now + (INTERNAL_TOKEN_TTL_SECONDS - INTERNAL_TOKEN_REUSE_MIN_LEFT_SECONDS) * 1000 + 1_000);
    expect(await cache.get(key.signing, testPrincipal(), 'checkpoints')).not.toBe(first);
    expect(cache.signed).toBe(2);
  });

  it('is bounded', async () => {
    const cache = new InternalTokenCache(2);
    const t = (s: string) => cache.get(key.signing, testPrincipal({ subject: s }), 'checkpoints');
    await t('a');
    await t('b');
    await t('c'); // drops a
    await t('b');
    expect(cache.signed).toBe(3);
    await t('a');
    expect(cache.signed).toBe(4);
  });
});
