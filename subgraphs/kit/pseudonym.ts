import { createHmac, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { badInput } from './errors';

/**
 * `Citizen.ref`: the pseudonym every subgraph computes the same way from the same normalised
 * identity document, so the graph joins a person's records without sharing the raw number
 * (DESIGN §4). The key version travels in the ref, so the secret can be rotated.
 */
export type DocumentType = 'CCCD' | 'CMND' | 'PASSPORT';

export interface IdentityDocument {
  type: DocumentType;
  number: string;
  /** ISO 3166-1 alpha-2 issuing country; required for passports, "VN" for national ids. */
  country?: string | null;
}

export interface PseudonymKey {
  version: string;
  secret: Buffer;
}

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

export function citizenRef(doc: IdentityDocument, key: PseudonymKey): string {
  const mac = createHmac('sha256', key.secret).update(normaliseDocument(doc), 'utf8').digest('base64url');
  return `${key.version}.${mac}`;
}

/** Parses `PSEUDONYM_KEY` values of the form `<version>:<base64 secret of at least 32 bytes>`. */
export function parsePseudonymKey(raw: string): PseudonymKey {
  const idx = raw.indexOf(':');
  const version = raw.slice(0, idx);
  const secret = Buffer.from(raw.slice(idx + 1), 'base64');
  if (idx < 1 || !/^[a-z0-9]{1,8}$/.test(version) || secret.length < 32) {
    throw new Error('pseudonymisation key must be "<version>:<base64 secret of at least 32 bytes>"');
  }
  return { version, secret };
}

/** Reads the key from a file (`<version>:<base64>`), generating one on first use when allowed. */
export async function loadPseudonymKeyFile(path: string, createIfMissing: boolean): Promise<PseudonymKey> {
  try {
    return parsePseudonymKey((await readFile(path, 'utf8')).trim());
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
  return parsePseudonymKey((await readFile(path, 'utf8')).trim());
}
