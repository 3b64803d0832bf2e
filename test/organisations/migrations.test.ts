import { createDataSource, migrate, pendingSchemaChanges } from '../../subgraphs/kit/db';
import { silentLogger } from '../../subgraphs/kit/logger';
import { organisationsModule } from '../../subgraphs/organisations/module';
import { DEV_SUBJECTS, FOUNDING_MEMBERS } from '../../subgraphs/organisations/seed';
import { createEmptyDatabase } from '../databases';

const counts = async (ds: ReturnType<typeof createDataSource>) =>
  ds.query(
    `SELECT (SELECT count(*)::int FROM organisation) AS organisations,
            (SELECT count(*)::int FROM centre_membership) AS memberships,
            (SELECT count(*)::int FROM app_user) AS users,
            (SELECT count(*)::int FROM role_grant) AS grants,
            (SELECT count(*)::int FROM administrative_unit) AS units`,
  );

describe('organisations migrations and seeds', () => {
  let db: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let ds: ReturnType<typeof createDataSource>;

  beforeAll(async () => {
    db = await createEmptyDatabase();
    ds = createDataSource({
      url: db.url,
      entities: organisationsModule.entities,
      migrations: organisationsModule.migrations,
      poolSize: 2,
    });
    await ds.initialize();
  });

  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  test('migrations build exactly the schema the entities describe (no drift)', async () => {
    expect(await migrate(ds)).toEqual(organisationsModule.migrations.map((M) => new M().name));
    expect(await pendingSchemaChanges(ds)).toEqual([]);
  });

  test('seeds are idempotent: a second run changes nothing', async () => {
    const log = silentLogger();
    await organisationsModule.seedReference!(ds, log);
    await organisationsModule.seedDevelopment!(ds, log);
    const first = await counts(ds);
    await Promise.all([organisationsModule.seedReference!(ds, log), organisationsModule.seedReference!(ds, log)]);
    await organisationsModule.seedDevelopment!(ds, log);
    expect(await counts(ds)).toEqual(first);
    expect(first[0]).toMatchObject({
      memberships: FOUNDING_MEMBERS.length,
      users: DEV_SUBJECTS.length,
      grants: DEV_SUBJECTS.length,
      units: 5,
    });
  });

  test('reverting every migration leaves no table behind', async () => {
    for (const _ of organisationsModule.migrations) await ds.undoLastMigration({ transaction: 'each' });
    const tables: unknown[] = await ds.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'`,
    );
    expect(tables).toEqual([]);
  });
});
