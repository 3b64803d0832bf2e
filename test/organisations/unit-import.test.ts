import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BUILTIN_VERSION,
  findUnits,
  importUnitList,
  listUnits,
  parseUnitList,
  UnitListConflictError,
  UnitListError,
} from '../../subgraphs/kit/admin-units';
import { createTestDatabase, type TestDatabase } from '../databases';
import { GSO_2025_03_01 as GSO, PROVINCES_2025_07_01 as PROVINCES_2025 } from '../unit-lists';

const HEADER = 'level,code,name,type,parent_code';

let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase('organisations');
  dir = await mkdtemp(join(tmpdir(), 'unit-lists-'));
});

afterAll(async () => {
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

const versionNames = async (): Promise<string[]> =>
  (await db.dataSource.query(`SELECT name FROM unit_list_version ORDER BY name`)).map((r: { name: string }) => r.name);
const unitCount = async (): Promise<number> =>
  (await db.dataSource.query(`SELECT count(*)::int AS n FROM administrative_unit`))[0].n;

async function writeList(name: string, lines: string[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, lines.join('\r\n') + '\r\n');
  return path;
}

describe('importing the official lists', () => {
  test('the statistics-office list of 2025-03-01: 63 provinces, 696 districts, 10,047 wards', async () => {
    const progress: number[] = [];
    const result = await importUnitList(db.dataSource, { ...GSO, onProgress: (done) => progress.push(done) });
    expect(result).toMatchObject({ status: 'imported', counts: { provinces: 63, districts: 696, wards: 10047 } });
    expect(progress.at(-1)).toBe(63 + 696 + 10047);
    expect(progress.length).toBe(11); // chunks of 1,000 rows
    const [version] = await db.dataSource.query(
      `SELECT effective_from::text AS e, unit_count, source, checksum FROM unit_list_version WHERE name = $1`,
      [GSO.version],
    );
    expect(version).toMatchObject({ e: '2025-03-01', unit_count: 10806, source: 'vn-admin-units-gso-2025-03-01.csv' });
    expect(version.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  test('re-running the same import is a no-op', async () => {
    const before = await unitCount();
    const again = await importUnitList(db.dataSource, GSO);
    expect(again).toMatchObject({ status: 'unchanged', counts: { provinces: 63, districts: 696, wards: 10047 } });
    expect(await unitCount()).toBe(before);
  });

  test('the same version name with a different file is refused and writes nothing', async () => {
    const before = await unitCount();
    await expect(importUnitList(db.dataSource, { ...PROVINCES_2025, version: GSO.version })).rejects.toThrow(
      UnitListConflictError,
    );
    expect(await unitCount()).toBe(before);
  });

  test('the 34 provinces after the reform of 2025-07-01', async () => {
    const result = await importUnitList(db.dataSource, PROVINCES_2025);
    expect(result).toMatchObject({ status: 'imported', counts: { provinces: 34, districts: 0, wards: 0 } });
    expect(await versionNames()).toEqual([BUILTIN_VERSION, GSO.version, PROVINCES_2025.version]);
  });
});

describe('resolving units across versions', () => {
  test('a code resolves to the newest list containing it, valid since the earliest', async () => {
    const [hanoi] = await findUnits(db.dataSource, ['01'], null);
    expect(hanoi).toMatchObject({
      code: '01',
      level: 1,
      listVersion: PROVINCES_2025.version,
      validFrom: '2025-03-01',
      validTo: null,
    });
  });

  test('an abolished district ends when the reform list takes effect', async () => {
    const [baDinh] = await findUnits(db.dataSource, ['001'], null);
    expect(baDinh).toMatchObject({
      name: 'Quận Ba Đình',
      parentCode: '01',
      listVersion: GSO.version,
      validTo: '2025-07-01',
    });
    const [haGiang] = await findUnits(db.dataSource, ['02'], null);
    expect(haGiang).toMatchObject({ validFrom: '2025-03-01', validTo: '2025-07-01' });
  });

  test('asOf picks the list in force that day', async () => {
    expect(await findUnits(db.dataSource, ['001'], '2025-06-30')).toHaveLength(1);
    expect(await findUnits(db.dataSource, ['001'], '2025-07-01')).toEqual([]);
    expect(await findUnits(db.dataSource, ['01'], '2025-02-28')).toEqual([]);
    const [before] = await findUnits(db.dataSource, ['01'], '2025-06-30');
    expect(before?.listVersion).toBe(GSO.version);
    expect((await listUnits(db.dataSource, { asOf: '2025-06-30', level: 1 })).length).toBe(63);
    expect((await listUnits(db.dataSource, { asOf: '2025-07-01', level: 1 })).length).toBe(34);
    expect((await listUnits(db.dataSource, { asOf: '2025-06-30', parentCodes: ['01'] })).length).toBe(30);
  });

  test('the built-in subset never ends units missing from it', async () => {
    // Ba Đình is absent from the built-in list (2025-07-01), yet only the full reform list ends it.
    const rows = await db.dataSource.query(
      `SELECT 1 FROM administrative_unit WHERE list_version = $1 AND code = '001'`,
      [BUILTIN_VERSION],
    );
    expect(rows).toEqual([]);
    const [hcm] = await findUnits(db.dataSource, ['79'], null);
    expect(hcm?.listVersion).toBe(PROVINCES_2025.version); // ties prefer an imported list
  });
});

describe('malformed lists are rejected with the line number, and nothing is imported', () => {
  const cases: [string, string[], string][] = [
    ['wrong header', ['level,code,name,kind,parent_code', '1,01,Hà Nội,Thành phố,'], 'line 1: header must be exactly'],
    ['bad level', [HEADER, '1,01,Hà Nội,Thành phố,', '4,001,Ba Đình,Quận,01'], 'line 3: level must be 1'],
    [
      'bad code length',
      [HEADER, '1,01,Hà Nội,Thành phố,', '2,0001,Ba Đình,Quận,01'],
      'line 3: a district code has exactly 3 digits',
    ],
    [
      'missing parent',
      [HEADER, '1,01,Hà Nội,Thành phố,', '2,001,Ba Đình,Quận,'],
      'line 3: a district needs a parent_code',
    ],
    [
      'parent not in the file',
      [HEADER, '1,01,Hà Nội,Thành phố,', '2,001,Ba Đình,Quận,01', '3,00001,Phúc Xá,Phường,002'],
      'line 4: parent_code 002 is not a district listed in this file',
    ],
    [
      'parent of the wrong level',
      [HEADER, '1,01,Hà Nội,Thành phố,', '3,00001,Phúc Xá,Phường,01'],
      'line 3: parent_code 01 is not a district listed in this file',
    ],
    [
      'duplicate code',
      [HEADER, '1,01,Hà Nội,Thành phố,', '2,001,Ba Đình,Quận,01', '2,001,Hoàn Kiếm,Quận,01'],
      'line 4: duplicate code 001 (first listed on line 3)',
    ],
    ['empty name', [HEADER, '1,01,,Thành phố,'], 'line 2: name must not be empty'],
    ['wrong column count', [HEADER, '1,01,Hà Nội,Thành phố'], 'line 2: expected 5 columns, found 4'],
  ];

  test.each(cases)('%s', async (name, lines, message) => {
    const file = await writeList(`${name.replace(/\s/g, '-')}.csv`, lines);
    const versionsBefore = await versionNames();
    const unitsBefore = await unitCount();
    const error = await importUnitList(db.dataSource, { file, version: 'bad-list', effectiveFrom: '2026-01-01' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnitListError);
    expect((error as Error).message.startsWith(message)).toBe(true);
    expect(await versionNames()).toEqual(versionsBefore);
    expect(await unitCount()).toBe(unitsBefore);
  });

  test('the first error is reported even after thousands of valid rows', async () => {
    const real = (await readFile(GSO.file, 'utf8')).split(/\r?\n/).filter(Boolean).slice(0, 2500);
    const file = await writeList('late-error.csv', [
      ...real,
      '3,99999,Nowhere,Xã,998',
      '3,99998,Twice,Xã,001',
      real[2]!,
    ]);
    const before = await unitCount();
    await expect(
      importUnitList(db.dataSource, { file, version: 'late-error', effectiveFrom: '2026-02-01' }),
    ).rejects.toThrow('line 2501: parent_code 998 is not a district listed in this file');
    expect(await unitCount()).toBe(before);
  });

  test('the parser reports the real file line, counting blank lines and the header', () => {
    expect(() => parseUnitList(`${HEADER}\n1,01,Hà Nội,Thành phố,\n\n1,1,Bad,Tỉnh,\n`)).toThrow(
      'line 4: a province code has exactly 2 digits',
    );
  });
});
