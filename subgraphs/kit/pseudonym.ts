import { createHmac, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { badInput } from './errors';

/**
 * `Citizen.ref`: the pseudonym every subgraph computes the same way from the same normalised
 * identity document, so the graph joins a person's records without sharing the raw number
 * (DESIGN §4). The key version travels in the ref, so the secret can be rotated.
 *
 * The secret is a key ring, oldest key first (docs/KEYS.md, "Re-keying the pseudonymisation
 * secret"). The ref under a ring [k1 … kn] is chained:
 *
 *   mac1 = HMAC-SHA256(k1, normalised document)
 *   mac_i = HMAC-SHA256(k_i, `${v_(i-1)}.${mac_(i-1)}`)      (i.e. the previous version's ref)
 *   ref  = `${v_n}.${mac_n}`
 *
 * With one key this is the plain HMAC of the document, as before rings existed. A ref stored under
 * an older version is brought to the current one without the document (`upgradeRef`), and a leaked
 * old key alone does not compute current refs.
 */
export type DocumentType = 'CCCD' | 'CMND' | 'PASSPORT';

export interface IdentityDocument {
  type: DocumentType;
  number: string;
  /** ISO 3166-1 alpha-2 issuing country; required for passports, "VN" for national ids. */
  country?: string | null;
}

/** One key of the ring. */
export interface PseudonymKeyVersion {
  version: string;
  secret: Buffer;
}

/**
 * The pseudonymisation key ring: `version`/`secret` are the current key (refs are written in its
 * version); `earlier` are the keys before it, oldest first (none for a ring of one key).
 */
export interface PseudonymKey extends PseudonymKeyVersion {
  earlier?: readonly PseudonymKeyVersion[];
}

const VERSION = /^[a-z0-9]{1,8}$/;
/** `<version>.<base64url of a 32-byte MAC>`. */
const REF = /^([a-z0-9]{1,8})\.([A-Za-z0-9_-]{43})$/;
const MIN_SECRET_BYTES = 32;

/** Canonical text of a document, e.g. `CCCD:001099012345`, `PASSPORT:VN:B1234567`. */
export function normaliseDocument(doc: IdentityDocument): string {
  const number = doc.number.replace(/[\s.-]/g, '').toUpperCase();
  switch (doc.type) {
    case 'CCCD':
      if (!/^\d{12}$/.test(number)) throw badInput('document.number', 'a citizen ID (CCCD) has exactly 12 digits');
      return `CCCD:${number}`;
    case 'CMND':
      if (!/^\d{9}$/.test(number)) throw badInput('document.number', 'an old ID (CMND) has exactly 9 digits');
      return `CMND:${number}`;
    case 'PASSPORT': {
      const country = (doc.country ?? '').trim().toUpperCase();
      if (!/^[A-Z]{2}$/.test(country)) {
        throw badInput('document.country', 'a passport needs its issuing country as a 2-letter ISO code');
      }
      if (!/^[A-Z0-9]{6,12}$/.test(number)) {
        throw badInput('document.number', 'a passport number has 6 to 12 letters or digits');
      }
      return `PASSPORT:${country}:${number}`;
    }
    default:
      throw badInput('document.type', 'must be CCCD, CMND or PASSPORT');
  }
}

/** The ring's keys, oldest first (the current key last). */
export function keyRing(key: PseudonymKey): PseudonymKeyVersion[] {
  return [...(key.earlier ?? []), { version: key.version, secret: key.secret }];
}

function mac(secret: Buffer, text: string): string {
  return createHmac('sha256', secret).update(text, 'utf8').digest('base64url');
}

/** Applies `keys` in turn to a ref (the chain step: each key MACs the previous version's ref). */
function chain(ref: string, keys: readonly PseudonymKeyVersion[]): string {
  let out = ref;
  for (const k of keys) out = `${k.version}.${mac(k.secret, out)}`;
  return out;
}

export function citizenRef(doc: IdentityDocument, key: PseudonymKey): string {
  const [first, ...later] = keyRing(key);
  return chain(`${first!.version}.${mac(first!.secret, normaliseDocument(doc))}`, later);
}

/** The key version a ref was made with, or undefined when it is not shaped like a ref. */
export function refVersion(ref: string): string | undefined {
  return REF.exec(ref)?.[1];
}

/** Whether a ref is of the ring's current version. */
export function isCurrentRef(ref: string, key: PseudonymKey): boolean {
  return refVersion(ref) === key.version;
}

/**
 * The current-version ref of a ref of any version of the ring, or null for a malformed ref or one
 * of a version the ring does not hold (e.g. a newer key than this process knows).
 */
export function tryUpgradeRef(ref: string, key: PseudonymKey): string | null {
  const version = refVersion(ref);
  if (version === undefined) return null;
  const ring = keyRing(key);
  const at = ring.findIndex((k) => k.version === version);
  return at < 0 ? null : chain(ref, ring.slice(at + 1));
}

/**
 * A ref that arrived as an argument, brought to the current key version (unchanged when it already
 * is). A malformed ref or one of an unknown version is a BAD_USER_INPUT naming `field`.
 */
export function upgradeRef(ref: string, key: PseudonymKey, field = 'ref'): string {
  if (refVersion(ref) === undefined) throw badInput(field, 'is not a Citizen.ref (a pseudonym from the graph)');
  const out = tryUpgradeRef(ref, key);
  if (out === null) throw badInput(field, 'is a Citizen.ref of an unknown key version');
  return out;
}

function parseKeyLine(line: string): PseudonymKeyVersion {
  const idx = line.indexOf(':');
  const version = line.slice(0, idx);
  const text = line.slice(idx + 1);
  const secret = Buffer.from(text, 'base64');
  if (idx < 1 || !VERSION.test(version) || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(text) || secret.length < MIN_SECRET_BYTES) {
    throw new Error('pseudonymisation key must be "<version>:<base64 secret of at least 32 bytes>"');
  }
  return { version, secret };
}

/**
 * Parses `PSEUDONYM_KEY` / the key file: one or more keys `<version>:<base64 secret of at least 32
 * bytes>`, oldest first, separated by newlines (or, for an environment variable, spaces or
 * commas). Blank lines and `#` comment lines are ignored; versions must be distinct.
 */
export function parsePseudonymKey(raw: string): PseudonymKey {
  const entries = raw
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .flatMap((l) => l.split(/[\s,]+/))
    .filter((l) => l !== '');
  if (!entries.length) {
    throw new Error('pseudonymisation key must be "<version>:<base64 secret of at least 32 bytes>"');
  }
  const ring = entries.map(parseKeyLine);
  const versions = new Set<string>();
  for (const k of ring) {
    if (versions.has(k.version)) throw new Error(`pseudonymisation key version ${k.version} appears twice`);
    versions.add(k.version);
  }
  const current = ring[ring.length - 1]!;
  return { version: current.version, secret: current.secret, earlier: ring.slice(0, -1) };
}

/** The key file's text of a ring: one `<version>:<base64>` line per key, oldest first. */
export function formatPseudonymKey(key: PseudonymKey): string {
  return keyRing(key)
    .map((k) => `${k.version}:${k.secret.toString('base64')}\n`)
    .join('');
}

/** A version name after every one of the ring's: the current one's number plus one (`v1` → `v2`). */
export function nextKeyVersion(key: PseudonymKey): string {
  const taken = new Set(keyRing(key).map((k) => k.version));
  const m = /^(.*?)(\d+)$/.exec(key.version);
  const stem = m ? m[1]! : key.version;
  let n = m ? Number(m[2]) + 1 : 2;
  for (;;) {
    const candidate = `${stem}${n}`;
    if (VERSION.test(candidate) && !taken.has(candidate)) return candidate;
    if (candidate.length > 8) break;
    n += 1;
  }
  for (let i = 1; ; i += 1) if (!taken.has(`k${i}`)) return `k${i}`;
}

/** Reads the key ring from a file, generating a one-key ring on first use when allowed. */
export async function loadPseudonymKeyFile(path: string, createIfMissing: boolean): Promise<PseudonymKey> {
  try {
    return parsePseudonymKey(await readFile(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || !createIfMissing) throw e;
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // 'wx': if another process created it meanwhile, fail and read theirs instead.
  await writeFile(path, `v1:${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' }).catch(
    (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    },
  );
  return parsePseudonymKey(await readFile(path, 'utf8'));
}

/**
 * Step 1 of re-keying: appends a new key (32 random bytes, the next version name) to the key file,
 * replacing the file atomically (written beside it, then renamed; mode 0600). Returns the new ring.
 */
export async function addPseudonymKey(path: string): Promise<PseudonymKey> {
  const ring = parsePseudonymKey(await readFile(path, 'utf8'));
  const added: PseudonymKey = {
    version: nextKeyVersion(ring),
    secret: randomBytes(32),
    earlier: keyRing(ring),
  };
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, formatPseudonymKey(added), { mode: 0o600, flag: 'wx' });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
  return added;
}
