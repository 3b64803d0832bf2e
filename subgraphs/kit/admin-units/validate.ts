import { badInput } from '../errors';
import { calendarDay } from './dates';
import { BUILTIN_VERSION } from './import';
import { findUnits, listVersions, type Queryable } from './query';

export interface Locality {
  provinceCode: string;
  districtCode?: string | null;
  wardCode?: string | null;
}

const FORMAT = { provinceCode: /^\d{2}$/, districtCode: /^\d{3}$/, wardCode: /^\d{5}$/ } as const;

/**
 * The day whose list a record is checked against: the record's own day, or, for records older
 * than every imported list, the oldest list's first day (codes are never reused, so the oldest
 * list is the best witness for earlier records).
 */
async function listDay(q: Queryable, day: string): Promise<{ day: string; levels: Set<number> }> {
  const versions = await listVersions(q); // oldest first
  const imported = versions.filter((v) => v.name !== BUILTIN_VERSION);
  const candidates = imported.length ? imported : versions;
  const inForce = [...candidates].reverse().find((v) => v.effectiveFrom <= day) ?? candidates[0];
  if (!inForce) return { day, levels: new Set() };
  const rows = (await q.query(`SELECT DISTINCT level FROM administrative_unit WHERE list_version = $1`, [
    inForce.name,
  ])) as { level: number }[];
  return { day: inForce.effectiveFrom > day ? inForce.effectiveFrom : day, levels: new Set(rows.map((r) => r.level)) };
}

/**
 * Checks a record's unit codes against the official list in force at the record's time (DESIGN §4):
 * the province must exist; a district must exist and belong to the province, and a ward to its
 * district (or province), wherever that list has those levels. Where the list in force has no
 * such level (e.g. districts after the July 2025 reform), the code is checked for format only.
 * Fields are named `${prefix}provinceCode` etc. in errors.
 */
export async function validateLocality(q: Queryable, loc: Locality, at: Date, prefix = ''): Promise<void> {
  for (const key of ['provinceCode', 'districtCode', 'wardCode'] as const) {
    const value = loc[key];
    if (value !== null && value !== undefined && !FORMAT[key].test(value)) {
      throw badInput(`${prefix}${key}`, `must be ${FORMAT[key].source.match(/\d+/)![0]} digits`);
    }
  }
  if (loc.wardCode && !loc.provinceCode) throw badInput(`${prefix}provinceCode`, 'is required with a ward');
  const { day, levels } = await listDay(q, calendarDay(at));
  const codes = [loc.provinceCode, loc.districtCode, loc.wardCode].filter((c): c is string => !!c);
  const found = new Map((await findUnits(q, codes, day)).map((u) => [u.code, u]));

  const province = found.get(loc.provinceCode);
  if (!province || province.level !== 1) {
    throw badInput(`${prefix}provinceCode`, `no province has this code in the list in force on ${day}`);
  }
  let parentOfWard = province.code;
  if (loc.districtCode && levels.has(2)) {
    const district = found.get(loc.districtCode);
    if (!district || district.level !== 2) {
      throw badInput(`${prefix}districtCode`, `no district has this code in the list in force on ${day}`);
    }
    if (district.parentCode !== province.code) {
      throw badInput(`${prefix}districtCode`, `is not a district of province ${province.code}`);
    }
    parentOfWard = district.code;
  }
  if (loc.wardCode && levels.has(3)) {
    const ward = found.get(loc.wardCode);
    if (!ward || ward.level !== 3) {
      throw badInput(`${prefix}wardCode`, `no ward or commune has this code in the list in force on ${day}`);
    }
    const expected = loc.districtCode && levels.has(2) ? parentOfWard : null;
    if (expected ? ward.parentCode !== expected : !(await belongsToProvince(q, ward.parentCode, province.code, day))) {
      throw badInput(
        `${prefix}wardCode`,
        expected ? `is not a ward of district ${expected}` : `is not in province ${province.code}`,
      );
    }
  }
}

async function belongsToProvince(q: Queryable, parent: string | null, province: string, day: string): Promise<boolean> {
  if (parent === province) return true;
  if (!parent) return false;
  const [district] = await findUnits(q, [parent], day);
  return district?.parentCode === province;
}
