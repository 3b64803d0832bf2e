import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';

export const SIGNING_ALG = 'ES256';

/** A private signing key with the key id that travels in every token it signs. */
export interface SigningKey {
  kid: string;
  alg: string;
  key: CryptoKey;
}

export interface GeneratedKeyPair {
  signing: SigningKey;
  privateJwk: JWK;
  jwks: JSONWebKeySet;
}

export async function generateSigningKey(kid: string = randomUUID()): Promise<GeneratedKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG, use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: 'sig' };
  return { signing: { kid, alg: SIGNING_ALG, key: privateKey }, privateJwk, jwks: { keys: [publicJwk] } };
}

export async function importSigningKey(jwk: JWK): Promise<SigningKey> {
  if (!jwk.kid || !jwk.alg) throw new Error('signing key needs "kid" and "alg"');
  const key = await importJWK(jwk, jwk.alg);
  if (!(key instanceof Object) || key instanceof Uint8Array) throw new Error('signing key must be asymmetric');
  return { kid: jwk.kid, alg: jwk.alg, key };
}

async function writeAtomic(path: string, content: string, mode: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, content, { mode });
  await rename(tmp, path);
}

/**
 * Reads a private key (JWK) and its public JWKS from disk, generating both on first use.
 * Used for the development issuer and the gateway's internal signing key in local runs.
 */
export async function loadOrCreateKeyFiles(privatePath: string, jwksPath: string): Promise<SigningKey> {
  try {
    return await importSigningKey(JSON.parse(await readFile(privatePath, 'utf8')) as JWK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const pair = await generateSigningKey();
  await writeAtomic(jwksPath, JSON.stringify(pair.jwks, null, 2), 0o644);
  await writeAtomic(privatePath, JSON.stringify(pair.privateJwk, null, 2), 0o600);
  return pair.signing;
}

export async function readJwksFile(path: string): Promise<JSONWebKeySet> {
  const parsed = JSON.parse(await readFile(path, 'utf8')) as JSONWebKeySet;
  if (!parsed || !Array.isArray(parsed.keys)) throw new Error(`${path} is not a JWKS (no "keys" array)`);
  return parsed;
}

/**
 * A key resolver over a JWKS file that re-reads the file when a token names an unknown `kid`
 * (at most once per `cooldownMs`), so a rotated key is picked up without a restart.
 */
export function fileJwks(path: string, cooldownMs = 5_000): JWTVerifyGetKey {
  let current: JWTVerifyGetKey | undefined;
  let loadedAt = 0;
  const reload = async () => {
    current = createLocalJWKSet(await readJwksFile(path));
    loadedAt = Date.now();
    return current;
  };
  return async (header, token) => {
    const jwks = current ?? (await reload());
    try {
      return await jwks(header, token);
    } catch (e) {
      if ((e as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY' || Date.now() - loadedAt < cooldownMs) throw e;
      return (await reload())(header, token);
    }
  };
}
