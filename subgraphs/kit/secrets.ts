import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Secrets at rest (DESIGN §5.8): values such as webhook signing secrets are stored encrypted with
 * AES-256-GCM under a versioned key ring; the key id travels with each ciphertext
 * (`<kid>:<base64url iv>:<base64url ciphertext+tag>`), so the ring can gain a key and new
 * encryptions use it while older ciphertexts still decrypt. The ring comes from a file of lines
 * `<kid>:<base64 32-byte key>`, oldest first (the last is current), or from `SECRETS_KEY` (same
 * format, lines separated by spaces).
 */
export interface SecretKeyRing {
  current: { kid: string; key: Buffer };
  all: Map<string, Buffer>;
}

const KID = /^[a-z0-9]{1,16}$/;

export function parseSecretKeyRing(text: string): SecretKeyRing {
  const entries = text
    .split(/[\s]+/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  if (!entries.length) throw new Error('secrets key ring is empty');
  const all = new Map<string, Buffer>();
  let current: SecretKeyRing['current'] | undefined;
  for (const e of entries) {
    const i = e.indexOf(':');
    const kid = e.slice(0, i);
    const key = Buffer.from(e.slice(i + 1), 'base64');
    if (i < 1 || !KID.test(kid) || key.length !== 32) {
      throw new Error('secrets key must be "<kid>:<base64 of exactly 32 bytes>"');
    }
    if (all.has(kid)) throw new Error(`secrets key id ${kid} appears twice`);
    all.set(kid, key);
    current = { kid, key };
  }
  return { current: current!, all };
}

export async function loadSecretKeyRingFile(path: string, createIfMissing: boolean): Promise<SecretKeyRing> {
  try {
    return parseSecretKeyRing(await readFile(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || !createIfMissing) throw e;
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, `k1:${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' }).catch(
    (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    },
  );
  return parseSecretKeyRing(await readFile(path, 'utf8'));
}

/** `aad` binds a ciphertext to its row (e.g. the consumer id), so it cannot be moved to another. */
export function encryptSecret(ring: SecretKeyRing, plaintext: string, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', ring.current.key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${ring.current.kid}:${iv.toString('base64url')}:${body.toString('base64url')}`;
}

export function decryptSecret(ring: SecretKeyRing, stored: string, aad: string): string {
  const [kid, ivText, bodyText] = stored.split(':');
  const key = kid ? ring.all.get(kid) : undefined;
  if (!key || !ivText || !bodyText) throw new Error('secret was encrypted under an unknown key');
  const body = Buffer.from(bodyText, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(ivText, 'base64url'));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(body.subarray(body.length - 16));
  return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString('utf8');
}

/** A new random signing secret, shown to its owner once. */
export function generateSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}
