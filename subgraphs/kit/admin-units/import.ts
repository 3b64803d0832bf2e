import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { DataSource, EntityManager } from 'typeorm';
import { countByLevel, parseUnitList, type UnitCounts, type UnitListEntry } from './csv';

/** The version name of the small list local start-up inserts when a database has no units. */
export const BUILTIN_VERSION = 'builtin';

/** Rows per multi-row INSERT: 6 parameters each keeps well below PostgreSQL's 65,535. */
const INSERT_CHUNK = 1000;

/** Serialises imports (and the built-in seed) across processes sharing one database. */
export async function lockUnitImports(m: EntityManager): Promise<void> {
  await m.query(`SELECT pg_advisory_xact_lock(hashtext('administrative_unit import'))`);
}

/** Invalid import options (a usage error, not a data error). */
export class UnitListOptionError extends Error {
  override name = 'UnitListOptionError';
}

/** The version already exists with different content, or its effective date is taken. */
export class UnitListConflictError extends Error {
  override name = 'UnitListConflictError';
}

export interface ImportOptions {
  /** Path of the CSV file (`level,code,name,type,parent_code`). */
  file: string;
  /** Version name, e.g. `gso-2025-03-01`. */
  version: string;
  /** YYYY-MM-DD: the day from which the list is in force. */
  effectiveFrom: string;
  /** Recorded as the version's source; defaults to the file's name. */
  source?: string;
  /** Called after each inserted chunk. */
  onProgress?: (done: number, total: number) => void;
}

export interface ImportResult {
  status: 'imported' | 'unchanged';
  version: string;
  checksum: string;
  counts: UnitCounts;
}

const VERSION_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

function checkOptions(opts: ImportOptions): void {
  if (!VERSION_NAME.test(opts.version)) {
    throw new UnitListOptionError('version must be 1-64 lowercase letters, digits, ".", "_" or "-"');
  }
  if (opts.version === BUILTIN_VERSION) {
    throw new UnitListOptionError(`version "${BUILTIN_VERSION}" is reserved for the built-in list`);
  }
  if (!isCalendarDate(opts.effectiveFrom)) throw new UnitListOptionError('effective date must be YYYY-MM-DD');
}

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

async function countsOf(m: EntityManager, version: string): Promise<UnitCounts> {
  const rows: { level: number; n: number }[] = await m.query(
    `SELECT level, count(*)::int AS n FROM administrative_unit WHERE list_version = $1 GROUP BY level`,
    [version],
  );
  const counts: UnitCounts = { provinces: 0, districts: 0, wards: 0 };
  for (const r of rows) counts[r.level === 1 ? 'provinces' : r.level === 2 ? 'districts' : 'wards'] = r.n;
  return counts;
}

/**
 * Compares with an existing version of the same name: identical content is a no-op, different
 * content is refused (a published list never changes under its name).
 */
async function existingVersion(m: EntityManager, version: string, checksum: string): Promise<ImportResult | null> {
  const rows: { checksum: string }[] = await m.query(`SELECT checksum FROM unit_list_version WHERE name = $1`, [
    version,
  ]);
  const found = rows[0];
  if (!found) return null;
  if (found.checksum !== checksum) {
    throw new UnitListConflictError(`list version "${version}" already exists with different content`);
  }
  return { status: 'unchanged', version, checksum, counts: await countsOf(m, version) };
}

/** Inserts a validated list as one version, in multi-row chunks; call inside a transaction. */
export async function insertUnitList(
  m: EntityManager,
  version: { name: string; effectiveFrom: string; source: string; checksum: string },
  entries: readonly UnitListEntry[],
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  await m.query(
    `INSERT INTO unit_list_version (name, effective_from, source, checksum, unit_count) VALUES ($1, $2, $3, $4, $5)`,
    [version.name, version.effectiveFrom, version.source, version.checksum, entries.length],
  );
  for (let start = 0; start < entries.length; start += INSERT_CHUNK) {
    const chunk = entries.slice(start, start + INSERT_CHUNK);
    const params: (string | number | null)[] = [];
    const tuples = chunk.map((e) => {
      const b = params.length;
      params.push(version.name, e.code, e.name, e.type, e.level, e.parentCode);
      return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6})`;
    });
    await m.query(
      `INSERT INTO administrative_unit (list_version, code, name, type, level, parent_code) VALUES ${tuples.join(', ')}`,
      params,
    );
    onProgress?.(start + chunk.length, entries.length);
  }
}

/**
 * Imports one official unit list as a version. The whole file is validated first (a malformed file
 * throws UnitListError `line N: …` and nothing is written), then written in one transaction.
 * Idempotent: the same name with the same file returns `unchanged`.
 */
export async function importUnitList(ds: DataSource, opts: ImportOptions): Promise<ImportResult> {
  checkOptions(opts);
  const bytes = await readFile(opts.file);
  const checksum = sha256(bytes);
  const known = await existingVersion(ds.manager, opts.version, checksum);
  if (known) return known;

  const entries = parseUnitList(bytes.toString('utf8'));
  return ds.transaction(async (m) => {
    await lockUnitImports(m);
    // Another process may have imported it while we validated.
    const raced = await existingVersion(m, opts.version, checksum);
    if (raced) return raced;
    const sameDay: { name: string }[] = await m.query(
      `SELECT name FROM unit_list_version WHERE effective_from = $1 AND name <> $2`,
      [opts.effectiveFrom, BUILTIN_VERSION],
    );
    if (sameDay[0]) {
      throw new UnitListConflictError(
        `list version "${sameDay[0].name}" is already in force from ${opts.effectiveFrom}`,
      );
    }
    const source = opts.source ?? basename(opts.file);
    await insertUnitList(
      m,
      { name: opts.version, effectiveFrom: opts.effectiveFrom, source, checksum },
      entries,
      opts.onProgress,
    );
    return { status: 'imported' as const, version: opts.version, checksum, counts: countByLevel(entries) };
  });
}
