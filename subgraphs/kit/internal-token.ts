import { SignJWT, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
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
  rid: string;
}

/**
 * Signs the short-lived token the gateway sends to one subgraph (audience = subgraph name). Only the
 * benchmark (bench/identity.ts) signs a longer-lived one for several audiences (BENCH_MODE).
 */
export async function signInternalToken(
  key: SigningKey,
  principal: Principal,
  audience: string | string[],
  ttlSeconds: number = INTERNAL_TOKEN_TTL_SECONDS,
): Promise<string> {
  const claims: InternalClaims = {
    knd: principal.kind,
    org: principal.organisationCode,
    rol: [...principal.roles],
    scp: [...principal.scopes],
    jur: principal.jurisdictions.map((j) => ({ unitCode: j.unitCode, includeDescendants: j.includeDescendants })),
    pur: principal.purpose,
    rid: principal.requestId,
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

export type InternalTokenVerifier = (token: string | undefined) => Promise<Principal>;

/** The longest lifetime (`exp - iat`) an internal token may claim: what the gateway signs, plus skew. */
export const INTERNAL_TOKEN_MAX_LIFETIME_SECONDS = INTERNAL_TOKEN_TTL_SECONDS + INTERNAL_TOKEN_CLOCK_TOLERANCE_SECONDS;

export interface InternalTokenVerifierOptions {
  /**
   * Benchmarks only (BENCH_MODE, kit/subgraph-config.ts): this exact token may live longer than
   * INTERNAL_TOKEN_MAX_LIFETIME_SECONDS. It is still verified like any other.
   */
  benchFixedToken?: string;
}

/**
 * Verifies the gateway's token for this subgraph and parses it once into a typed principal.
 * Any failure is UNAUTHENTICATED, with no detail that would help a forger. A token claiming a
 * longer life than the gateway ever signs is refused (a leaked token stays useful for a minute only).
 */
export function createInternalTokenVerifier(
  keys: JWTVerifyGetKey,
  audience: string,
  opts: InternalTokenVerifierOptions = {},
): InternalTokenVerifier {
  return async (token) => {
    if (!token) throw unauthenticated('Requests must come through the gateway');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: INTERNAL_ISSUER,
        audience,
        algorithms: ALGORITHMS,
        clockTolerance: INTERNAL_TOKEN_CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['sub', 'exp', 'iat'],
      }));
    } catch {
      throw unauthenticated('Requests must come through the gateway');
    }
    const lifetime = (payload.exp as number) - (payload.iat as number);
    if (lifetime > INTERNAL_TOKEN_MAX_LIFETIME_SECONDS && token !== opts.benchFixedToken) {
      throw unauthenticated('Requests must come through the gateway');
    }
    const c = payload as Partial<InternalClaims>;
    if (
      (c.knd !== 'user' && c.knd !== 'service') ||
      !isStringArray(c.rol) ||
      !isStringArray(c.scp) ||
      !isJurisdictions(c.jur) ||
      typeof c.rid !== 'string'
    ) {
      throw unauthenticated('Requests must come through the gateway');
    }
    return {
      subject: payload.sub as string,
      kind: c.knd,
      organisationCode: typeof c.org === 'string' ? c.org : null,
      roles: c.rol,
      scopes: c.scp,
      jurisdictions: c.jur,
      purpose: typeof c.pur === 'string' ? c.pur : null,
      requestId: c.rid,
    };
  };
}

/** Extracts a bearer token from an Authorization header value. */
export function bearer(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+([A-Za-z0-9\-_.]+)$/i.exec(header.trim());
  return m?.[1];
}
