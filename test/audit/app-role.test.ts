import type { DataSource } from 'typeorm';
import { grantApplicationRole } from '../../subgraphs/kit/audit';
import { subgraphDataSource, migrate } from '../../subgraphs/kit/db';
import { SUBGRAPHS } from '../../subgraphs/kit/module';
import { MODULES } from '../../subgraphs/registry';
import { createEmptyDatabase, createTestDatabase, type TestDatabase } from '../databases';
import { appDatabaseUrl, TEST_APP_ROLE } from '../pg-env';

/** The role the subgraphs serve with (on the embedded PostgreSQL) cannot rewrite the audit. */

describe.each([...SUBGRAPHS])('%s: the application role', (name) => {
  let db: TestDatabase;
  let app: DataSource;
  beforeAll(async () => {
    db = await createTestDatabase(name, 2);
    app = db.appDataSource;
  });
  afterAll(async () => {
    await db?.drop();
  });

  test('is neither superuser nor owner of anything', async () => {
    const [me] = (await app.query(
      `SELECT current_user AS name, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname = current_user`,
    )) as { name: string; rolsuper: boolean; rolcreaterole: boolean; rolcreatedb: boolean; rolbypassrls: boolean }[];
    expect(me).toEqual({
      name: TEST_APP_ROLE,
      rolsuper: false,
      rolcreaterole: false,
      rolcreatedb: false,
      rolbypassrls: false,
    });
    const owned = (await app.query(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = current_user`,
    )) as unknown[];
    expect(owned).toEqual([]);
    const [dbOwner] = (await app.query(
      `SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = current_database()`,
    )) as { owner: string }[];
    expect(dbOwner.owner).not.toBe(TEST_APP_ROLE);
  });

  test('may insert and read audit rows, but never update, delete or truncate them', async () => {
    await app.query(
      `INSERT INTO audit_record (actor, entity_type, entity_id, fields, request_id) VALUES ('t', 'User', '1', '{email}', 'r-1')`,
    );
    expect(await app.query(`SELECT actor FROM audit_record WHERE request_id = 'r-1'`)).toEqual([{ actor: 't' }]);
    await expect(app.query(`UPDATE audit_record SET actor = 'someone else'`)).rejects.toThrow(/permission denied/);
    await expect(app.query(`DELETE FROM audit_record`)).rejects.toThrow(/permission denied/);
    await expect(app.query(`TRUNCATE audit_record`)).rejects.toThrow(/permission denied/);
    await expect(app.query(`DROP TABLE audit_record`)).rejects.toThrow(/must be owner/);
    await expect(app.query(`ALTER TABLE audit_record DISABLE TRIGGER ALL`)).rejects.toThrow(/must be owner/);
    expect(await db.dataSource.query(`SELECT count(*)::int AS n FROM audit_record`)).toEqual([{ n: 1 }]);
  });

  test('writes outbox events only through its writes: it cannot change, delete or skip them', async () => {
    await expect(app.query(`UPDATE outbox_event SET entity_id = 'x'`)).rejects.toThrow(/permission denied/);
    await expect(app.query(`DELETE FROM outbox_event`)).rejects.toThrow(/permission denied/);
    await expect(app.query(`TRUNCATE outbox_event`)).rejects.toThrow(/permission denied/);
    const [t] = (await db.dataSource.query(
      `SELECT tgrelid::regclass::text AS tab FROM pg_trigger WHERE tgname LIKE 'outbox_%' LIMIT 1`,
    )) as { tab: string }[];
    await expect(app.query(`ALTER TABLE ${t!.tab} DISABLE TRIGGER ALL`)).rejects.toThrow(/must be owner/);
  });

  test('cannot rewrite the migration history or create tables', async () => {
    await expect(app.query(`DELETE FROM migrations`)).rejects.toThrow(/permission denied/);
    await expect(app.query(`CREATE TABLE sneaky (id int)`)).rejects.toThrow(/permission denied/);
  });
});

test('grants made at start-up also cover tables a later migration creates', async () => {
  const empty = await createEmptyDatabase();
  const mod = MODULES.organisations;
  const owner = subgraphDataSource(mod, empty.url, { poolSize: 2 });
  const app = subgraphDataSource(mod, appDatabaseUrl(empty.name), { poolSize: 2 });
  await owner.initialize();
  try {
    await migrate(owner);
    await grantApplicationRole(owner, TEST_APP_ROLE);
    await grantApplicationRole(owner, TEST_APP_ROLE); // idempotent: every start runs it
    await owner.query(`CREATE TABLE later_table (id bigserial PRIMARY KEY, note text)`);
    await app.initialize();
    await app.query(`INSERT INTO later_table (note) VALUES ('x')`);
    await app.query(`UPDATE later_table SET note = 'y'`);
    await app.query(`DELETE FROM later_table`);
    await app.query(
      `INSERT INTO audit_record (actor, entity_type, entity_id, fields, request_id) VALUES ('t', 'User', '1', '{email}', 'r')`,
    );
    await expect(app.query(`DELETE FROM audit_record`)).rejects.toThrow(/permission denied/);
  } finally {
    if (app.isInitialized) await app.destroy();
    await owner.destroy();
    await empty.drop();
  }
});
