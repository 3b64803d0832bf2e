import type { EntityManager } from 'typeorm';
import type { UnitLevel } from './csv';
import { BUILTIN_VERSION } from './import';

/** Anything that runs SQL: a DataSource, an EntityManager or a transaction's manager. */
export type Queryable = Pick<EntityManager, 'query'>;

/**
 * A unit as resolved across list versions: the row of the newest version containing the code (in
 * force at `asOf` when one is given), with its validity across all versions.
 */
export interface ResolvedUnit {
  code: string;
  name: string;
  type: string;
  level: UnitLevel;
  parentCode: string | null;
  listVersion: string;
  /** Effective date of the earliest version listing the code. */
  validFrom: string;
  /**
   * Effective date of the first version after the newest one listing the code (exclusive end);
   * null while no later list dropped it. The built-in list is a subset and never ends anything.
   */
  validTo: string | null;
  /** The day this unit was resolved for; null when resolved to its newest row. */
  asOf: string | null;
}

interface UnitRow {
  code: string;
  name: string;
  type: string;
  level: number;
  parent_code: string | null;
  list_version: string;
  valid_from: string;
  valid_to: string | null;
}

/**
 * The resolution query. `candidates` must keep every version's row of a code it keeps (filters are
 * per code, never per version), so validity is computed over the code's whole history. Ties on the
 * effective date prefer an imported list over the built-in one.
 * $1 = built-in version name, $2 = asOf (date or null).
 */
function resolutionSql(candidateFilter: string, resultFilter: string, limit: string): string {
  return `
    WITH versions AS (
      SELECT name, effective_from, name = $1 AS builtin FROM unit_list_version
    ), candidates AS (
      SELECT u.list_version, u.code, u.name, u.type, u.level, u.parent_code, v.effective_from, v.builtin
      FROM administrative_unit u JOIN versions v ON v.name = u.list_version
      WHERE ${candidateFilter}
    ), spans AS (
      SELECT code, min(effective_from) AS valid_from, max(effective_from) AS last_listed
      FROM candidates GROUP BY code
    ), picked AS (
      SELECT DISTINCT ON (code) * FROM candidates
      WHERE $2::date IS NULL OR effective_from <= $2::date
      ORDER BY code, effective_from DESC, builtin, list_version DESC
    ), resolved AS (
      SELECT p.code, p.name, p.type, p.level, p.parent_code, p.list_version, s.valid_from,
        (SELECT min(v.effective_from) FROM versions v
          WHERE NOT v.builtin AND v.effective_from > s.last_listed) AS valid_to
      FROM picked p JOIN spans s USING (code)
    )
    SELECT code, name, type, level, parent_code, list_version,
      valid_from::text AS valid_from, valid_to::text AS valid_to
    FROM resolved
    WHERE ($2::date IS NULL OR valid_to IS NULL OR $2::date < valid_to) AND ${resultFilter}
    ORDER BY code
    ${limit}`;
}

function toUnit(row: UnitRow, asOf: string | null): ResolvedUnit {
  return {
    code: row.code,
    name: row.name,
    type: row.type,
    level: row.level as UnitLevel,
    parentCode: row.parent_code,
    listVersion: row.list_version,
    validFrom: row.valid_from,
    validTo: row.valid_to,
    asOf,
  };
}

/**
 * Resolves codes, in no particular order (pair them with `byKeys`). With `asOf`, only units in force
 * on that day, each as listed by the version in force then; without, every code ever listed.
 */
export async function findUnits(q: Queryable, codes: readonly string[], asOf: string | null): Promise<ResolvedUnit[]> {
  if (!codes.length) return [];
  const rows: UnitRow[] = await q.query(resolutionSql('u.code = ANY($3::text[])', 'TRUE', ''), [
    BUILTIN_VERSION,
    asOf,
    [...codes],
  ]);
  return rows.map((r) => toUnit(r, asOf));
}

export interface UnitListFilter {
  /** The day whose units are listed. */
  asOf: string;
  /** Only units under one of these parents (as listed on that day). */
  parentCodes?: readonly string[] | null;
  level?: UnitLevel | null;
  /** Keyset: only codes after this one. */
  after?: string | null;
  limit?: number | null;
}

/** Units in force on a day, ordered by code (keyset-paginated on the code, which never changes). */
export async function listUnits(q: Queryable, f: UnitListFilter): Promise<ResolvedUnit[]> {
  const params: unknown[] = [BUILTIN_VERSION, f.asOf];
  const candidate: string[] = [];
  const result: string[] = [];
  if (f.parentCodes) {
    params.push([...f.parentCodes]);
    const p = `$${params.length}::text[]`;
    // Any version's parent qualifies a code as a candidate; the picked row's parent decides.
    candidate.push(`u.code IN (SELECT code FROM administrative_unit WHERE parent_code = ANY(${p}))`);
    result.push(`parent_code = ANY(${p})`);
  }
  if (f.level) {
    params.push(f.level);
    candidate.push(`u.level = $${params.length}`);
  }
  if (f.after) {
    params.push(f.after);
    candidate.push(`u.code > $${params.length}`);
  }
  let limit = '';
  if (f.limit) {
    params.push(f.limit);
    limit = `LIMIT $${params.length}`;
  }
  const sql = resolutionSql(candidate.join(' AND ') || 'TRUE', result.join(' AND ') || 'TRUE', limit);
  const rows: UnitRow[] = await q.query(sql, params);
  return rows.map((r) => toUnit(r, f.asOf));
}

export interface ListVersionRow {
  name: string;
  effectiveFrom: string;
  source: string;
  checksum: string;
  unitCount: number;
  importedAt: Date;
}

/** The imported list versions, oldest first. */
export async function listVersions(q: Queryable, names?: readonly string[]): Promise<ListVersionRow[]> {
  const rows: ListVersionRow[] = await q.query(
    `SELECT name, effective_from::text AS "effectiveFrom", source, checksum, unit_count AS "unitCount",
       imported_at AS "importedAt"
     FROM unit_list_version
     WHERE $1::text[] IS NULL OR name = ANY($1::text[])
     ORDER BY effective_from, name`,
    [names ? [...names] : null],
  );
  return rows;
}
