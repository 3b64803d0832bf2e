import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { SignJWT, decodeProtectedHeader, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Jurisdiction, Principal, PrincipalKind } from './principal';
import type { SigningKey } from './keys';
import { unauthenticated } from './errors';

/** Issuer of every gateway-to-subgraph token. */
export const INTERNAL_ISSUER = 'urn:epidemic-federation:gateway';
export const INTERNAL_TOKEN_TTL_SECONDS = 60;
/** Clock skew subgraphs allow on an internal token's `exp`/`iat`. */
export const INTERNAL_TOKEN_CLOCK_TOLERANCE_SECONDS = 5;
/**
 * The least time between two rotations of the internal signing key: a rotation drops the key
 * before the current one, so every token that key signed must have expired (lifetime + clock
 * tolerance, with margin for the gateway picking up the previous rotation).
 */
export const INTERNAL_KEY_ROTATION_MIN_INTERVAL_MS =
  2 * (INTERNAL_TOKEN_TTL_SECONDS + INTERNAL_TOKEN_CLOCK_TOLERANCE_SECONDS) * 1000;
const ALGORITHMS = ['ES256', 'RS256'];

interface InternalClaims extends JWTPayload {
  knd: PrincipalKind;
  org: string | null;
  rol: string[];
  scp: string[];
  jur: Jurisdiction[];
  pur: string | null;
  /** The request id, in tokens signed for one request (the gateway's cached tokens send it beside, in `x-request-id`). */
  rid?: string;
}

/**
 * Signs the short-lived token the gateway sends to one subgraph (audience = subgraph name). Only the
 * benchmark (bench/identity.ts) signs a longer-lived one for several audiences (BENCH_MODE).
 * `withRequestId: false` leaves the request id out, for a token reused by several requests of the
 * same caller (the gateway's token cache); each request then sends its id in `x-request-id`.
 */
export async function signInternalToken(
  key: SigningKey,
  principal: Principal,
  audience: string | string[],
  ttlSeconds: number = INTERNAL_TOKEN_TTL_SECONDS,
  { withRequestId = true }: { withRequestId?: boolean } = {},
): Promise<string> {
  const claims: InternalClaims = {
    knd: principal.kind,
    org: principal.organisationCode,
    rol: [...principal.roles],
    scp: [...principal.scopes],
    jur: principal.jurisdictions.map((j) => ({ unitCode: j.unitCode, includeDescendants: j.includeDescendants })),
    pur: principal.purpose,
    ...(withRequestId ? { rid: principal.requestId } : {}),
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(INTERNAL_ISSUER)
    .setAudience(audience)
    .setSubject(principal.subject)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(key.key);
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isJurisdictions = (v: unknown): v is Jurisdiction[] =>
  Array.isArray(v) &&
  v.every(
    (j) =>
      j !== null &&
      typeof j === 'object' &&
      (typeof (j as Jurisdiction).unitCode === 'string' || (j as Jurisdiction).unitCode === null) &&
      typeof (j as Jurisdiction).includeDescendants === 'boolean',
  );

/**
 * Verifies a token into the caller's principal. `requestId` is the token's own `rid` when it has one,
 * else the `x-request-id` the gateway sent beside it (when well-formed), else a fresh id.
 */
export type InternalTokenVerifier = (token: string | undefined, requestIdHeader?: string) => Promise<Principal>;

/** The longest lifetime (`exp - iat`) an internal token may claim: what the gateway signs, plus skew. */
export const INTERNAL_TOKEN_MAX_LIFETIME_SECONDS = INTERNAL_TOKEN_TTL_SECONDS + INTERNAL_TOKEN_CLOCK_TOLERANCE_SECONDS;

/** Verified tokens kept, so a token the gateway reuses is not verified again on every call. */
export const VERIFIED_TOKEN_CACHE_SIZE = 10_000;

/** A request id a subgraph accepts from the `x-request-id` header (what the gateway makes: a UUID). */
const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export interface InternalTokenVerifierOptions {
  /**
   * Benchmarks only (BENCH_MODE, kit/subgraph-config.ts): this exact token may live longer than
   * INTERNAL_TOKEN_MAX_LIFETIME_SECONDS. It is still verified like any other.
   */
  benchFixedToken?: string;
  /** How many verified tokens to remember (default VERIFIED_TOKEN_CACHE_SIZE; 0: verify every call). */
  cacheSize?: number;
}

interface VerifiedToken {
  caller: Omit<Principal, 'requestId'>;
  rid: string | undefined;
  exp: number;
  /** The key that verified it: a hit counts only while the key set still gives this very key. */
  key: unknown;
}

/**
 * Verifies the gateway's token for this subgraph and parses it once into a typed principal.
 * Any failure is UNAUTHENTICATED, with no detail that would help a forger. A token claiming a
 * longer life than the gateway ever signs is refused (a leaked token stays useful for a minute only).
 *
 * A verified token is remembered (bounded, least recently used dropped first) until it expires, so the tokens the
 * gateway reuses for a caller cost one signature check, not one per call. A remembered token counts
 * only while it has not expired and the key resolver still returns the same key object for its
 * header: a key dropped from the key set (rotation, a leaked key removed with --force) stops its
 * tokens at once, as without the cache.
 */
export function createInternalTokenVerifier(
  keys: JWTVerifyGetKey,
  audience: string,
  opts: InternalTokenVerifierOptions = {},
): InternalTokenVerifier {
  const cacheSize = opts.cacheSize ?? VERIFIED_TOKEN_CACHE_SIZE;
  const verified = cacheSize > 0 ? new LRUCache<string, VerifiedToken>({ max: cacheSize }) : undefined;
  const refuse = () => unauthenticated('Requests must come through the gateway');
  const principalOf = (v: VerifiedToken, requestIdHeader: string | undefined): Principal => ({
    ...v.caller,
    requestId:
      v.rid ?? (requestIdHeader !== undefined && REQUEST_ID.test(requestIdHeader) ? requestIdHeader : randomUUID()),
  });

  const stillValid = async (token: string, v: VerifiedToken): Promise<boolean> => {
    if (Date.now() / 1000 >= v.exp + INTERNAL_TOKEN_CLOCK_TOLERANCE_SECONDS) return false;
    try {
      return (
        (await keys(decodeProtectedHeader(token) as Parameters<JWTVerifyGetKey>[0], { payload: '', signature: '' })) ===
        v.key
      );
    } catch {
      return false;
    }
  };

  return async (token, requestIdHeader) => {
    if (!token) throw refuse();
    const known = verified?.get(token);
    if (known) {
      if (await stillValid(token, known)) return principalOf(known, requestIdHeader);
      verified!.delete(token);
    }
    let payload: JWTPayload;
    let key: unknown;
    try {
      ({ payload } = await jwtVerify(
        token,
        async (header, t) => {
          key = await keys(header, t);
          return key as Awaited<ReturnType<JWTVerifyGetKey>>;
        },
        {
          issuer: INTERNAL_ISSUER,
          audience,
          algorithms: ALGORITHMS,
          clockTolerance: INTERNAL_TOKEN_CLOCK_TOLERANCE_SECONDS,
          requiredClaims: ['sub', 'exp', 'iat'],
        },
      ));
    } catch {
      throw refuse();
    }
    const lifetime = (payload.exp as number) - (payload.iat as number);
    if (lifetime > INTERNAL_TOKEN_MAX_LIFETIME_SECONDS && token !== opts.benchFixedToken) throw refuse();
    const c = payload as Partial<InternalClaims>;
    if (
      (c.knd !== 'user' && c.knd !== 'service') ||
      !isStringArray(c.rol) ||
      !isStringArray(c.scp) ||
      !isJurisdictions(c.jur) ||
      (c.rid !== undefined && typeof c.rid !== 'string')
    ) {
      throw refuse();
    }
    const entry: VerifiedToken = {
      caller: {
        subject: payload.sub as string,
        kind: c.knd,
        organisationCode: typeof c.org === 'string' ? c.org : null,
        roles: c.rol,
        scopes: c.scp,
        jurisdictions: c.jur,
        purpose: typeof c.pur === 'string' ? c.pur : null,
      },
      rid: c.rid,
      exp: payload.exp as number,
      key,
    };
    verified?.set(token, entry);
    return principalOf(entry, requestIdHeader);
  };
}

/** Extracts a bearer token from an Authorization header value. */
export function bearer(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+([A-Za-z0-9\-_.]+)$/i.exec(header.trim());
  return m?.[1];
}
