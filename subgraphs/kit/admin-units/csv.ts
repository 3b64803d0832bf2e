import { parse } from 'csv-parse/sync';

export const UNIT_LIST_COLUMNS = ['level', 'code', 'name', 'type', 'parent_code'] as const;

export type UnitLevel = 1 | 2 | 3;

export interface UnitListEntry {
  level: UnitLevel;
  code: string;
  name: string;
  type: string;
  parentCode: string | null;
}

/** A malformed unit list: the message is always `line N: <reason>` with the file's own line number. */
export class UnitListError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'UnitListError';
  }
}

/** Official statistics-office code lengths: province 2 digits, district 3, ward/commune 5. */
const CODE_DIGITS: Readonly<Record<UnitLevel, number>> = { 1: 2, 2: 3, 3: 5 };
const LEVEL_NAMES: Readonly<Record<UnitLevel, string>> = { 1: 'province', 2: 'district', 3: 'ward' };

interface RawRow {
  line: number;
  fields: string[];
}

function readRows(content: string): RawRow[] {
  try {
    const records = parse(content, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      // csv-parse types `info: true` results as string[][]; they are { record, info } objects.
    }) as unknown as { record: string[]; info: { lines: number } }[];
    return records.map((r) => ({ line: r.info.lines, fields: r.record.map((f) => f.trim()) }));
  } catch (e) {
    const line = typeof (e as { lines?: unknown }).lines === 'number' ? (e as { lines: number }).lines : 1;
    throw new UnitListError(line, 'not valid CSV (unbalanced quotes?)');
  }
}

/** Checks one row on its own (everything but duplicates and parents, which need the whole file). */
function checkRow({ line, fields }: RawRow): UnitListEntry {
  if (fields.length !== UNIT_LIST_COLUMNS.length) {
    throw new UnitListError(line, `expected ${UNIT_LIST_COLUMNS.length} columns, found ${fields.length}`);
  }
  const [levelText, code, name, type, parent] = fields as [string, string, string, string, string];
  if (levelText !== '1' && levelText !== '2' && levelText !== '3') {
    throw new UnitListError(line, `level must be 1 (province), 2 (district) or 3 (ward), got "${levelText}"`);
  }
  const level = Number(levelText) as UnitLevel;
  const digits = CODE_DIGITS[level];
  if (!new RegExp(`^\\d{${digits}}$`).test(code)) {
    throw new UnitListError(line, `a ${LEVEL_NAMES[level]} code has exactly ${digits} digits, got "${code}"`);
  }
  if (!name) throw new UnitListError(line, 'name must not be empty');
  if (!type) throw new UnitListError(line, 'type must not be empty');
  if (level === 1 && parent) throw new UnitListError(line, 'a province has no parent_code');
  if (level > 1 && !parent) throw new UnitListError(line, `a ${LEVEL_NAMES[level]} needs a parent_code`);
  return { level, code, name, type, parentCode: level === 1 ? null : parent };
}

/**
 * Parses and validates a whole unit list (columns exactly `level,code,name,type,parent_code`, header
 * on line 1) and throws a UnitListError for the FIRST problem in file order. Parents may appear
 * anywhere in the file, so they are checked once every row is known.
 */
export function parseUnitList(content: string): UnitListEntry[] {
  const rows = readRows(content);
  const header = rows[0];
  if (!header || header.line !== 1) throw new UnitListError(1, `missing header ${UNIT_LIST_COLUMNS.join(',')}`);
  if (header.fields.join(',') !== UNIT_LIST_COLUMNS.join(',')) {
    throw new UnitListError(1, `header must be exactly ${UNIT_LIST_COLUMNS.join(',')}`);
  }
  if (rows.length === 1) throw new UnitListError(2, 'the file lists no units');

  // First pass: per-row checks, remembering where each code first appears (or the row's error).
  type Checked = { row: RawRow; entry: UnitListEntry } | { row: RawRow; error: UnitListError };
  const checked = rows.slice(1).map((row): Checked => {
    try {
      return { row, entry: checkRow(row) };
    } catch (e) {
      if (e instanceof UnitListError) return { row, error: e };
      throw e;
    }
  });
  const firstByCode = new Map<string, { line: number; level: UnitLevel }>();
  for (const c of checked) {
    if ('entry' in c && !firstByCode.has(c.entry.code)) {
      firstByCode.set(c.entry.code, { line: c.row.line, level: c.entry.level });
    }
  }

  // Second pass, in file order, so the error reported is the first one in the file.
  const entries: UnitListEntry[] = [];
  for (const c of checked) {
    if ('error' in c) throw c.error;
    const { row, entry } = c;
    const first = firstByCode.get(entry.code);
    if (first && first.line !== row.line) {
      throw new UnitListError(row.line, `duplicate code ${entry.code} (first listed on line ${first.line})`);
    }
    if (entry.parentCode !== null) {
      const parent = firstByCode.get(entry.parentCode);
      const expected = (entry.level - 1) as UnitLevel;
      if (!parent || parent.level !== expected) {
        throw new UnitListError(
          row.line,
          `parent_code ${entry.parentCode} is not a ${LEVEL_NAMES[expected]} listed in this file`,
        );
      }
    }
    entries.push(entry);
  }
  return entries;
}

export interface UnitCounts {
  provinces: number;
  districts: number;
  wards: number;
}

export function countByLevel(entries: readonly { level: number }[]): UnitCounts {
  const counts: UnitCounts = { provinces: 0, districts: 0, wards: 0 };
  for (const e of entries) {
    if (e.level === 1) counts.provinces++;
    else if (e.level === 2) counts.districts++;
    else counts.wards++;
  }
  return counts;
}
