import { createDataSource, migrate } from '../../subgraphs/kit/db';
import { calendarDay } from '../../subgraphs/kit/admin-units/dates';
import { DEMO_PEOPLE, demoInstant } from '../../subgraphs/kit/demo';
import { silentLogger } from '../../subgraphs/kit/logger';
import { citizenRef } from '../../subgraphs/kit/pseudonym';
import { movementModule } from '../../subgraphs/movement/module';
import { DEMO_MOVEMENTS } from '../../subgraphs/movement/seed';
import { TEST_PSEUDONYM_KEY } from '../factories/citizens';
import { createEmptyDatabase } from '../databases';

/*
 * The movement subgraph's seeds on an empty database: the built-in unit list (reference data,
 * every deployment) and the demo declarations (development only), both idempotent.
 */

let db: Awaited<ReturnType<typeof createEmptyDatabase>>;
let ds: ReturnType<typeof createDataSource>;
const log = silentLogger();

beforeAll(async () => {
  db = await createEmptyDatabase();
  ds = createDataSource({
    url: db.url,
    entities: movementModule.entities,
    migrations: movementModule.migrations,
    poolSize: 2,
  });
  await ds.initialize();
  await migrate(ds);
});
afterAll(async () => {
  await ds.destroy();
  await db.drop();
});

const count = async (table: string): Promise<number> =>
  ((await ds.query(`SELECT count(*)::int AS n FROM ${table}`)) as { n: number }[])[0]!.n;

test('seedReference inserts the built-in unit list once', async () => {
  await movementModule.seedReference!(ds, log);
  const units = await count('administrative_unit');
  expect(units).toBeGreaterThan(0);
  await movementModule.seedReference!(ds, log);
  expect(await count('administrative_unit')).toBe(units);
});

test('seedDevelopment skips without a pseudonymisation key', async () => {
  await movementModule.seedDevelopment!(ds, log);
  expect(await count('movement_declaration')).toBe(0);
});

test('seedDevelopment inserts the demo journeys of the demo people once, with their histories', async () => {
  await movementModule.seedDevelopment!(ds, log, { pseudonymKey: TEST_PSEUDONYM_KEY });
  await movementModule.seedDevelopment!(ds, log, { pseudonymKey: TEST_PSEUDONYM_KEY });
  expect(await count('movement_declaration')).toBe(DEMO_MOVEMENTS.length);
  expect(await count('movement_status_change')).toBe(
    DEMO_MOVEMENTS.reduce((n, d) => n + (d.status === 'DECLARED' ? 1 : 2), 0),
  );

  const rows = (await ds.query(
    `SELECT citizen_ref, companion_refs, conveyance_id, depart_at, origin_province_code, destination_province_code,
       CASE WHEN status IN ('DECLARED', 'APPROVED') AND valid_until < now() THEN 'EXPIRED' ELSE status END AS status
     FROM movement_declaration ORDER BY depart_at, id`,
  )) as {
    citizen_ref: string;
    companion_refs: string[];
    conveyance_id: string;
    depart_at: Date;
    origin_province_code: string;
    destination_province_code: string;
    status: string;
  }[];
  const refs = new Set(
    DEMO_PEOPLE.map((p) => citizenRef({ type: 'CCCD', number: p.documentNumber }, TEST_PSEUDONYM_KEY)),
  );
  for (const r of rows) {
    expect(refs.has(r.citizen_ref)).toBe(true);
    for (const c of r.companion_refs) expect(refs.has(c)).toBe(true);
    expect([r.origin_province_code, r.destination_province_code].sort()).toEqual(['01', '79']);
    expect(r.depart_at.getTime()).toBeGreaterThanOrEqual(demoInstant(14, 0).getTime());
  }
  expect(new Set(rows.map((r) => r.status))).toEqual(
    new Set(['DECLARED', 'APPROVED', 'REJECTED', 'CANCELLED', 'EXPIRED']),
  );
  // Two parties on the same morning flight: the README's passengersOnConveyance example.
  const vn201 = rows.filter((r) => r.conveyance_id === 'VN201');
  expect(vn201.map((r) => calendarDay(r.depart_at))).toEqual([
    calendarDay(demoInstant(12, 7)),
    calendarDay(demoInstant(12, 7)),
  ]);
});
