import type { DataSource } from 'typeorm';
import type { UnitListEntry } from './csv';
import { BUILTIN_VERSION, insertUnitList, lockUnitImports, sha256 } from './import';

export const BUILTIN_EFFECTIVE_FROM = '2025-07-01';

/**
 * The five centrally-governed cities, whose codes survived the July 2025 reform. Enough for local
 * start-up and development grants; a deployment imports the official list with `npm run
 * import-units`. This version never ends another unit's validity (it is a subset, not a full list).
 */
export const BUILTIN_UNITS: readonly UnitListEntry[] = [
  { level: 1, code: '01', name: 'Thành phố Hà Nội', type: 'Thành phố Trung ương', parentCode: null },
  { level: 1, code: '31', name: 'Thành phố Hải Phòng', type: 'Thành phố Trung ương', parentCode: null },
  { level: 1, code: '48', name: 'Thành phố Đà Nẵng', type: 'Thành phố Trung ương', parentCode: null },
  { level: 1, code: '79', name: 'Thành phố Hồ Chí Minh', type: 'Thành phố Trung ương', parentCode: null },
  { level: 1, code: '92', name: 'Thành phố Cần Thơ', type: 'Thành phố Trung ương', parentCode: null },
];

/** The built-in list rendered as the CSV it stands for, so its checksum is stable and meaningful. */
function builtinCsv(): string {
  const lines = BUILTIN_UNITS.map((u) => [u.level, u.code, u.name, u.type, u.parentCode ?? ''].join(','));
  return ['level,code,name,type,parent_code', ...lines].join('\n') + '\n';
}

/**
 * Inserts the built-in list when the database has no unit at all (idempotent; safe when several
 * replicas start at once). Returns whether it inserted anything.
 */
export async function ensureBuiltinUnitList(ds: DataSource): Promise<boolean> {
  return ds.transaction(async (m) => {
    await lockUnitImports(m);
    const any: unknown[] = await m.query(`SELECT 1 FROM administrative_unit LIMIT 1`);
    if (any.length) return false;
    const version = {
      name: BUILTIN_VERSION,
      effectiveFrom: BUILTIN_EFFECTIVE_FROM,
      source: 'built-in',
      checksum: sha256(builtinCsv()),
    };
    await insertUnitList(m, version, BUILTIN_UNITS);
    return true;
  });
}
