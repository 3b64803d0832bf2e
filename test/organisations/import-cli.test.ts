import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { ROOT } from '../../subgraphs/kit/paths';
import { createEmptyDatabase } from '../databases';
import { PROVINCES_2025_07_01 } from '../unit-lists';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a user would (through tsx), with no DATABASE_URL inherited. */
function importUnits(args: string[]): Promise<Run> {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['scripts/import-units.ts', ...args], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let db: Awaited<ReturnType<typeof createEmptyDatabase>>;
let dir: string;

beforeAll(async () => {
  db = await createEmptyDatabase();
  dir = await mkdtemp(join(tmpdir(), 'import-cli-'));
});

afterAll(async () => {
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

async function count(sql: string): Promise<number> {
  const c = new Client({ connectionString: db.url });
  await c.connect();
  try {
    return (await c.query<{ n: number }>(sql)).rows[0]!.n;
  } finally {
    await c.end();
  }
}

test('a malformed file exits 1 with its line number and imports nothing, on a fresh database', async () => {
  const file = join(dir, 'bad.csv');
  await writeFile(file, 'level,code,name,type,parent_code\n1,01,Hà Nội,Thành phố,\n2,01,Ba Đình,Quận,01\n');
  const run = await importUnits([
    '--file',
    file,
    '--version',
    'bad',
    '--effective',
    '2025-03-01',
    '--database-url',
    db.url,
  ]);
  expect(run.code).toBe(1);
  expect(run.stderr).toContain('line 3: a district code has exactly 3 digits');
  // Migrations ran (the CLI works on a fresh database), but no list was written.
  expect(await count('SELECT count(*)::int AS n FROM unit_list_version')).toBe(0);
});

test('a good file exits 0 and prints counts per level; a re-run is unchanged', async () => {
  const args = [
    '--file',
    PROVINCES_2025_07_01.file,
    '--version',
    'provinces-2025-07-01',
    '--effective',
    '2025-07-01',
    '--database-url',
    db.url,
  ];
  const first = await importUnits(args);
  expect(first.code).toBe(0);
  expect(first.stdout).toMatch(/^imported: list version provinces-2025-07-01/);
  expect(first.stdout).toMatch(/provinces: 34\n\s+districts: 0\n\s+wards: +0/);
  const again = await importUnits(args);
  expect(again.code).toBe(0);
  expect(again.stdout).toContain('unchanged');
  expect(await count('SELECT count(*)::int AS n FROM administrative_unit')).toBe(34);
});

test('usage errors exit 2', async () => {
  const missing = await importUnits(['--file', 'x.csv', '--database-url', db.url]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('usage:');
  const badDate = await importUnits([
    '--file',
    'x.csv',
    '--version',
    'v',
    '--effective',
    '2025-02-30',
    '--database-url',
    db.url,
  ]);
  expect(badDate.code).toBe(2);
  expect(badDate.stderr).toContain('--effective must be a date');
});
