import { declarationsModule } from '../../subgraphs/declarations/module';
import { createDataSource, migrate } from '../../subgraphs/kit/db';
import { DEMO_PEOPLE } from '../../subgraphs/kit/demo';
import { captureLogs } from '../log-capture';
import { citizenRef, type PseudonymKey } from '../../subgraphs/kit/pseudonym';
import { createEmptyDatabase } from '../databases';

/*
 * The development demo set (the local stack's data; other tests never rely on it). Seeded into an
 * empty database with a key of its own, to prove pseudonyms come from the key it is given.
 */

const KEY: PseudonymKey = { version: 'd1', secret: Buffer.alloc(32, 9) };

test('seeds the demo people with the given key once, spread over the last 14 days', async () => {
  const db = await createEmptyDatabase();
  const ds = createDataSource({
    url: db.url,
    entities: declarationsModule.entities,
    migrations: declarationsModule.migrations,
    poolSize: 2,
  });
  await ds.initialize();
  const { logger, lines } = captureLogs();
  try {
    await migrate(ds);
    await declarationsModule.seedReference!(ds, logger);
    await declarationsModule.seedDevelopment!(ds, logger); // no key: nothing
    expect(lines().map((l) => l.msg)).toContain('demo declarations not seeded: no pseudonymisation key given');
    await Promise.all([
      declarationsModule.seedDevelopment!(ds, logger, { pseudonymKey: KEY }),
      declarationsModule.seedDevelopment!(ds, logger, { pseudonymKey: KEY }),
    ]);

    const refs = (await ds.query(`SELECT ref FROM citizen ORDER BY ref`)) as { ref: string }[];
    const expected = DEMO_PEOPLE.map((p) => citizenRef({ type: 'CCCD', number: p.documentNumber }, KEY)).sort();
    expect(refs.map((r) => r.ref)).toEqual(expected);

    const kinds = (await ds.query(
      `SELECT kind, count(*)::int AS n FROM health_declaration GROUP BY kind ORDER BY kind`,
    )) as { kind: string; n: number }[];
    expect(kinds).toEqual([
      { kind: 'DAILY_MONITORING', n: 19 },
      { kind: 'DOMESTIC_TRAVEL', n: 4 },
      { kind: 'ENTRY', n: 2 },
      { kind: 'UNIVERSAL', n: 12 },
    ]);
    const [span] = (await ds.query(
      `SELECT min(submitted_at) AS first, max(submitted_at) AS last,
         count(DISTINCT province_code)::int AS provinces FROM health_declaration`,
    )) as { first: Date; last: Date; provinces: number }[];
    expect(span!.provinces).toBe(2);
    expect(span!.last.getTime()).toBeLessThanOrEqual(Date.now());
    expect(Date.now() - span!.first.getTime()).toBeLessThan(15 * 86_400_000);
    const [periods] = (await ds.query(
      `SELECT count(*)::int AS n, count(source_declaration_id)::int AS from_entry FROM monitoring_period`,
    )) as { n: number; from_entry: number }[];
    expect(periods).toEqual({ n: 4, from_entry: 2 });
  } finally {
    await ds.destroy();
    await db.drop();
  }
});
