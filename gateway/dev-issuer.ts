import { SignJWT } from 'jose';
import { loadOrCreateKeyFiles, type SigningKey } from '../subgraphs/kit/keys';
import { localDir } from '../subgraphs/kit/paths';

/**
 * The development issuer: a key pair generated on first use under `.local/keys` (git-ignored),
 * its JWKS, and tokens for a chosen subject. Refused in production by the gateway's config.
 */
export const DEV_ISSUER = 'urn:epidemic-federation:dev-issuer';
export const DEV_AUDIENCE = 'epidemic-federation';
/** Lifetime of a development token unless asked otherwise (`npm run token -- … --ttl`). */
export const DEV_TOKEN_TTL_SECONDS = 3600;
/**
 * The least time between two rotations of the development issuer's key: a default token's
 * lifetime plus the largest clock tolerance the gateway may be configured with (300 s). Tokens made
 * with a longer `--ttl` need rotations spaced further apart.
 */
export const DEV_ISSUER_ROTATION_MIN_INTERVAL_MS = (DEV_TOKEN_TTL_SECONDS + 300) * 1000;

export function devIssuerFiles(): { privateKey: string; jwks: string } {
  return { privateKey: localDir('keys', 'dev-issuer.private.json'), jwks: localDir('keys', 'dev-issuer.jwks.json') };
}

export function loadDevIssuerKey(): Promise<SigningKey> {
  const files = devIssuerFiles();
  return loadOrCreateKeyFiles(files.privateKey, files.jwks);
}

export interface TokenOptions {
  issuer?: string;
  audience?: string;
  expiresIn?: string | number;
  /** OAuth client id of the calling app, when there is one. */
  clientId?: string;
}

export async function issueToken(key: SigningKey, subject: string, opts: TokenOptions = {}): Promise<string> {
  return new SignJWT({ ...(opts.clientId ? { client_id: opts.clientId } : {}) })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(opts.issuer ?? DEV_ISSUER)
    .setAudience(opts.audience ?? DEV_AUDIENCE)
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? `${DEV_TOKEN_TTL_SECONDS}s`)
    .sign(key.key);
}
