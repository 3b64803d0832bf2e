import type { Jurisdiction, Principal } from './principal';

/**
 * Record-level jurisdiction (DESIGN §5.5): a grant names a unit (province 2 digits, district 3,
 * ward 5; null = national) with or without the units below it. A record is covered when its code at
 * the grant's level equals the grant's unit — and, for a grant without descendants, when the record
 * is not placed below that unit. Codes are compared level by level, never by prefix (statistics
 * codes of different levels are independent numbers).
 */
export interface RecordUnits {
  provinceCode: string | null;
  districtCode?: string | null;
  wardCode?: string | null;
}

type Level = 'provinceCode' | 'districtCode' | 'wardCode';
const LEVEL_BY_LENGTH: Readonly<Record<number, Level>> = { 2: 'provinceCode', 3: 'districtCode', 5: 'wardCode' };
const BELOW: Readonly<Record<Level, Level[]>> = {
  provinceCode: ['districtCode', 'wardCode'],
  districtCode: ['wardCode'],
  wardCode: [],
};

export function isNationalPrincipal(principal: Pick<Principal, 'jurisdictions'>): boolean {
  return principal.jurisdictions.some((j) => j.unitCode === null);
}

function coversOne(j: Jurisdiction, record: RecordUnits): boolean {
  if (j.unitCode === null) return true;
  const level = LEVEL_BY_LENGTH[j.unitCode.length];
  if (!level || record[level] !== j.unitCode) return false;
  return j.includeDescendants || BELOW[level].every((l) => !record[l]);
}

/** Whether any of the principal's jurisdictions covers the record. */
export function covers(principal: Pick<Principal, 'jurisdictions'>, record: RecordUnits): boolean {
  return principal.jurisdictions.some((j) => coversOne(j, record));
}

/** Whether any of the principal's jurisdictions covers any of the records (e.g. a journey's ends). */
export function coversAny(principal: Pick<Principal, 'jurisdictions'>, records: readonly RecordUnits[]): boolean {
  return records.some((r) => covers(principal, r));
}

export interface JurisdictionSql {
  /** A boolean SQL condition, or `TRUE` for a national principal (and `FALSE` for one with none). */
  sql: string;
  params: unknown[];
}

/**
 * The same rule as `covers`, as a SQL condition over a row's unit columns, for lists filtered in the
 * database (so pages are full and counts are right). `firstParam` is the number of the first `$n`.
 */
export function jurisdictionSql(
  principal: Pick<Principal, 'jurisdictions'>,
  columns: { province: string; district?: string; ward?: string },
  firstParam: number,
): JurisdictionSql {
  if (isNationalPrincipal(principal)) return { sql: 'TRUE', params: [] };
  const column: Record<Level, string | undefined> = {
    provinceCode: columns.province,
    districtCode: columns.district,
    wardCode: columns.ward,
  };
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const j of principal.jurisdictions) {
    const level = j.unitCode ? LEVEL_BY_LENGTH[j.unitCode.length] : undefined;
    const col = level ? column[level] : undefined;
    if (!level || !col) continue;
    params.push(j.unitCode);
    const below = j.includeDescendants
      ? []
      : BELOW[level]
          .map((l) => column[l])
          .filter((c): c is string => !!c)
          .map((c) => `${c} IS NULL`);
    parts.push([`${col} = $${firstParam + params.length - 1}`, ...below].join(' AND '));
  }
  return { sql: parts.length ? `(${parts.map((p) => `(${p})`).join(' OR ')})` : 'FALSE', params };
}
