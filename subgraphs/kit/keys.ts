import { mkdir, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
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
  // (realm-safe checks: under jest the CryptoKey comes from another realm than `Object`)
  if (ArrayBuffer.isView(key) || (key as CryptoKey).type !== 'private') {
    throw new Error('signing key must be an asymmetric private key');
  }
  return { kid: jwk.kid, alg: jwk.alg, key: key as CryptoKey };
}

/** Reads and imports a private JWK file (throws on a missing, unparsable or unusable key). */
export async function readSigningKeyFile(path: string): Promise<SigningKey> {
  return importSigningKey(JSON.parse(await readFile(path, 'utf8')) as JWK);
}

/** The public half of a JWK: every private member removed. */
export function publicJwkOf(jwk: JWK): JWK {
  const pub: JWK = { ...jwk };
  for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'key_ops', 'ext'] as const) {
    delete (pub as Record<string, unknown>)[member];
  }
  return pub;
}

/** Writes beside the target, then renames over it: a reader sees the old or the new file, never half of one. */
async function writeAtomic(path: string, content: string, mode: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  try {
    await writeFile(tmp, content, { mode });
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

/**
 * Where the time a key became the signing key is recorded, beside its private key file
 * (`internal-signing.private.json` → `internal-signing.private.rotation.json`).
 */
export function rotationRecordPath(privatePath: string): string {
  return join(dirname(privatePath), `${basename(privatePath).replace(/\.json$/, '')}.rotation.json`);
}

interface RotationRecord {
  kid: string;
  activatedAt: string;
}

async function writeRotationRecord(privatePath: string, kid: string, at: Date): Promise<void> {
  const record: RotationRecord = { kid, activatedAt: at.toISOString() };
  await writeAtomic(rotationRecordPath(privatePath), JSON.stringify(record, null, 2), 0o600);
}

/**
 * Since when the key in `privatePath` (id `kid`) has been signing: the recorded rotation time, or
 * the private key file's modification time when there is no record for this key (a key made
 * elsewhere, or before rotations were recorded).
 */
export async function keyActiveSince(privatePath: string, kid: string): Promise<Date> {
  try {
    const record = JSON.parse(await readFile(rotationRecordPath(privatePath), 'utf8')) as Partial<RotationRecord>;
    const at = typeof record.activatedAt === 'string' ? Date.parse(record.activatedAt) : NaN;
    if (record.kid === kid && Number.isFinite(at)) return new Date(at);
  } catch {
    // no record: fall back to the file's time
  }
  return (await stat(privatePath)).mtime;
}

/**
 * Reads a private key (JWK) and its public JWKS from disk, generating both on first use.
 * Used for the development issuer and the gateway's internal signing key in local runs.
 */
export async function loadOrCreateKeyFiles(privatePath: string, jwksPath: string): Promise<SigningKey> {
  try {
    return await readSigningKeyFile(privatePath);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const pair = await generateSigningKey();
  await writeKeyFiles(pair, privatePath, jwksPath);
  return pair.signing;
}

/** Writes a generated key pair: its JWKS first, then the private key (both atomically). */
export async function writeKeyFiles(pair: GeneratedKeyPair, privatePath: string, jwksPath: string): Promise<void> {
  await writeAtomic(jwksPath, JSON.stringify(pair.jwks, null, 2), 0o644);
  await writeAtomic(privatePath, JSON.stringify(pair.privateJwk, null, 2), 0o600);
  await writeRotationRecord(privatePath, pair.signing.kid, new Date());
}

export async function readJwksFile(path: string): Promise<JSONWebKeySet> {
  const parsed = JSON.parse(await readFile(path, 'utf8')) as JSONWebKeySet;
  if (!parsed || !Array.isArray(parsed.keys)) throw new Error(`${path} is not a JWKS (no "keys" array)`);
  return parsed;
}

/** Refused rotation: it would drop a key whose tokens may not have expired yet. */
export class KeyRotationTooSoonError extends Error {
  constructor(
    readonly currentKid: string,
    readonly activeSince: Date,
    readonly notBefore: Date,
    readonly wouldDrop: string[],
  ) {
    super(
      `key ${currentKid} has been signing only since ${activeSince.toISOString()}: rotating now would drop ` +
        `${wouldDrop.join(', ')}, whose tokens may not have expired yet; rotate again after ${notBefore.toISOString()}`,
    );
    this.name = 'KeyRotationTooSoonError';
  }
}

export interface RotateKeyOptions {
  /**
   * The longest lifetime of a token signed with a key (clock tolerance included). A rotation drops
   * the previous key, so it is refused until the current key has been signing for this long: by
   * then every token of the previous key has expired.
   */
  minIntervalMs: number;
  /** Rotate even if that drops a key whose tokens may still be valid (e.g. a leaked key). */
  force?: boolean;
  /** The new key's id (default: a random UUID). */
  kid?: string;
  now?: () => Date;
}

export interface RotationResult {
  previousKid: string;
  kid: string;
  /** The key ids now in the JWKS: the new key, then the previous one. */
  publishedKids: string[];
  /** Key ids removed from the JWKS (older than the previous key). */
  droppedKids: string[];
  rotatedAt: Date;
}

/**
 * Rotates a key pair kept in files without downtime:
 *  1. generates a new key pair;
 *  2. publishes the JWKS with the new public key and the current (now previous) one, dropping any
 *     older key — verifiers that see the new key id re-read the JWKS and find it;
 *  3. only then replaces the private key file, so signers switch to a key that is already published.
 * Tokens of the previous key keep verifying until the next rotation, which is refused (unless
 * `force`) before the current key has signed for `minIntervalMs`. Every file is replaced by rename,
 * never written in place; concurrent rotations of the same files are refused (a lock file).
 */
export async function rotateKeyFiles(
  privatePath: string,
  jwksPath: string,
  opts: RotateKeyOptions,
): Promise<RotationResult> {
  const lockPath = `${privatePath}.lock`;
  let lock;
  try {
    lock = await open(lockPath, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new Error(`another rotation of ${privatePath} is in progress (if none is, remove ${lockPath})`);
    }
    throw e;
  }
  try {
    const now = opts.now ?? (() => new Date());
    let currentJwk: JWK;
    try {
      currentJwk = JSON.parse(await readFile(privatePath, 'utf8')) as JWK;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Error(`no key to rotate at ${privatePath} (start the stack once to create it)`);
      }
      throw e;
    }
    const current = await importSigningKey(currentJwk);
    let published: JSONWebKeySet = { keys: [] };
    try {
      published = await readJwksFile(jwksPath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const currentPublic = published.keys.find((k) => k.kid === current.kid) ?? publicJwkOf(currentJwk);
    const droppedKids = published.keys.filter((k) => k.kid !== current.kid).map((k) => k.kid ?? '(no kid)');

    if (droppedKids.length > 0 && !opts.force) {
      const activeSince = await keyActiveSince(privatePath, current.kid);
      const notBefore = new Date(activeSince.getTime() + opts.minIntervalMs);
      if (now().getTime() < notBefore.getTime()) {
        throw new KeyRotationTooSoonError(current.kid, activeSince, notBefore, droppedKids);
      }
    }

    const next = await generateSigningKey(opts.kid);
    if (next.signing.kid === current.kid) throw new Error(`the new key id equals the current one (${current.kid})`);
    await writeAtomic(jwksPath, JSON.stringify({ keys: [...next.jwks.keys, currentPublic] }, null, 2), 0o644);
    await writeAtomic(privatePath, JSON.stringify(next.privateJwk, null, 2), 0o600);
    const rotatedAt = now();
    await writeRotationRecord(privatePath, next.signing.kid, rotatedAt);
    return {
      previousKid: current.kid,
      kid: next.signing.kid,
      publishedKids: [next.signing.kid, current.kid],
      droppedKids,
      rotatedAt,
    };
  } finally {
    await lock.close();
    await unlink(lockPath).catch(() => undefined);
  }
}

/**
 * A key resolver over a JWKS file that follows the file without a restart:
 *  - a token naming an unknown `kid` re-reads the file at once if it changed (by inode, size and
 *    modification time), otherwise at most once per `cooldownMs` (made-up key ids cannot make it
 *    read the file on every request);
 *  - the file is also checked for changes at most every `checkMs`, so a key dropped from it stops
 *    verifying without waiting for an unknown `kid`.
 * A file that cannot be read or parsed (e.g. being rewritten in place) leaves the last good key set
 * in force.
 */
export function fileJwks(path: string, cooldownMs = 5_000, checkMs = 1_000): JWTVerifyGetKey {
  let current: JWTVerifyGetKey | undefined;
  let version: string | undefined;
  let loadedAt = 0;
  let checkedAt = 0;
  let loading: Promise<JWTVerifyGetKey> | undefined;

  const versionOf = async (): Promise<string | undefined> => {
    try {
      const s = await stat(path);
      return `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch {
      return undefined;
    }
  };
  const reload = (): Promise<JWTVerifyGetKey> => {
    loading ??= (async () => {
      try {
        const v = await versionOf(); // before reading: a change after it is seen at the next check
        const next = createLocalJWKSet(await readJwksFile(path));
        current = next;
        version = v;
        return next;
      } catch (e) {
        if (current) return current; // keep the last good set
        throw e;
      } finally {
        loadedAt = checkedAt = Date.now();
        loading = undefined;
      }
    })();
    return loading;
  };
  const changed = async (): Promise<boolean> => {
    checkedAt = Date.now();
    const v = await versionOf();
    return v !== undefined && v !== version;
  };

  return async (header, token) => {
    let jwks = current ?? (await reload());
    if (Date.now() - checkedAt >= checkMs && (await changed())) jwks = await reload();
    try {
      return await jwks(header, token);
    } catch (e) {
      if ((e as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY') throw e;
      if (!(await changed()) && Date.now() - loadedAt < cooldownMs) throw e;
      return (await reload())(header, token);
    }
  };
}
