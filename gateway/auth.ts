import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { fileJwks } from '../subgraphs/kit/keys';
import { unauthenticated } from '../subgraphs/kit/errors';
import type { KeySource } from './config';

/** Only asymmetric algorithms: `none` and HS256 (signed with the public key) are refused. */
export const ACCEPTED_ALGORITHMS = ['RS256', 'ES256'];

export interface VerifiedIdentity {
  subject: string;
  clientId: string | null;
  expiresAt: number;
}

export type AccessTokenVerifier = (token: string | undefined) => Promise<VerifiedIdentity>;

/**
 * Both refetch their key set when a token names an unknown `kid`, at most once per `cooldownMs`
 * (so a flood of made-up key ids cannot hammer the identity provider).
 */
export function keyResolver(source: KeySource, cooldownMs = 10_000): JWTVerifyGetKey {
  return source.kind === 'url'
    ? createRemoteJWKSet(new URL(source.url), { cooldownDuration: cooldownMs, timeoutDuration: 5_000 })
    : fileJwks(source.path, cooldownMs);
}

/**
 * Verifies callers' bearer JWTs (signature, algorithm, `iss`, `aud`, `exp` with a small clock
 * tolerance). A verified token is cached until shortly before it expires, so a client reusing
 * its token pays for the signature check once.
 */
export function createAccessTokenVerifier(opts: {
  keys: JWTVerifyGetKey;
  issuer: string;
  audience: string;
  clockToleranceSeconds: number;
  cacheSize?: number;
  cacheMs?: number;
}): AccessTokenVerifier {
  const cacheMs = opts.cacheMs ?? 60_000;
  const cache = new LRUCache<string, VerifiedIdentity>({ max: opts.cacheSize ?? 10_000 });
  return async (token) => {
    if (!token) throw unauthenticated('A bearer access token is required');
    const cacheKey = createHash('sha256').update(token).digest('base64url');
    const hit = cache.get(cacheKey);
    if (hit && hit.expiresAt > Date.now()) return hit;
    let identity: VerifiedIdentity;
    try {
      const { payload } = await jwtVerify(token, opts.keys, {
        issuer: opts.issuer,
        audience: opts.audience,
        algorithms: ACCEPTED_ALGORITHMS,
        clockTolerance: opts.clockToleranceSeconds,
        requiredClaims: ['sub', 'exp'],
      });
      const clientId = typeof payload.client_id === 'string' ? payload.client_id : null;
      identity = { subject: payload.sub as string, clientId, expiresAt: (payload.exp as number) * 1000 };
    } catch {
      throw unauthenticated('The access token is invalid or expired');
    }
    cache.set(cacheKey, identity, { ttl: Math.max(1, Math.min(cacheMs, identity.expiresAt - Date.now())) });
    return identity;
  };
}
