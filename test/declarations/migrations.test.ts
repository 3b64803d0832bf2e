import { Init1732700000000 } from '../../migrations/declarations/1732700000000-Init';
import { HealthDeclarationRow } from '../../subgraphs/declarations/entities';
import { declarationsModule } from '../../subgraphs/declarations/module';
import { createDataSource, migrate, pendingSchemaChanges } from '../../subgraphs/kit/db';
import { createEmptyDatabase } from '../databases';

/*
 * Declarations recorded before the full form survive its migration: each keeps its name (now in an
 * identity snapshot), becomes version 1 with empty answers, and reverting restores the old shape.
 */

test('declarations recorded before the full form are kept as version 1, and the migration reverts', async () => {
  const db = await createEmptyDatabase();
  const old = createDataSource({ url: db.url, entities: [], migrations: [Init1732700000000], poolSize: 2 });
  await old.initialize();
  try {
    await migrate(old);
    await old.query(`INSERT INTO citizen (ref) VALUES ('t1.legacy')`);
    await old.query(
      `INSERT INTO health_declaration (id, citizen_ref, kind, questionnaire_version, channel, submitted_at, province_code, full_name)
       VALUES ('dec00000-0000-4000-8000-000000000001', 't1.legacy', 'ENTRY', '2020-03', 'app', '2021-08-01T02:00:00Z', '01', 'Nguyễn Văn Cũ')`,
    );
  } finally {
    await old.destroy();
  }

  const ds = createDataSource({
    url: db.url,
    entities: declarationsModule.entities,
    migrations: declarationsModule.migrations,
    poolSize: 2,
  });
  await ds.initialize();
  try {
    expect(await migrate(ds)).toHaveLength(declarationsModule.migrations.length - 1);
    expect(await pendingSchemaChanges(ds)).toEqual([]);
    const row = await ds
      .getRepository(HealthDeclarationRow)
      .findOneByOrFail({ id: 'dec00000-0000-4000-8000-000000000001' });
    expect(row).toMatchObject({
      version: 1,
      supersededAt: null,
      declaredBy: 'SELF',
      symptoms: [],
      symptomatic: false,
      symptomWindowDays: 14,
      recordedBy: 'system:migration',
      recordedAt: new Date('2021-08-01T02:00:00Z'),
      entry: null,
      answers: {
        exposures: [],
        travelHistory: [],
        symptomOnset: null,
        temperatureCelsius: null,
        vaccination: null,
        latestTest: null,
      },
    });
    const [snapshot] = (await ds.query(
      `SELECT citizen_ref, full_name, declared_at FROM identity_snapshot WHERE id = $1`,
      [row.identitySnapshotId],
    )) as { citizen_ref: string; full_name: string; declared_at: Date }[];
    expect(snapshot).toEqual({
      citizen_ref: 't1.legacy',
      full_name: 'Nguyễn Văn Cũ',
      declared_at: new Date('2021-08-01T02:00:00Z'),
    });

    for (let i = 1; i < declarationsModule.migrations.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    const [back] = (await ds.query(`SELECT id, full_name FROM health_declaration`)) as {
      id: string;
      full_name: string;
    }[];
    expect(back).toEqual({ id: 'dec00000-0000-4000-8000-000000000001', full_name: 'Nguyễn Văn Cũ' });
  } finally {
    await ds.destroy();
    await db.drop();
  }
});
