import { createTestDatabase, type TestDatabase } from '../databases';
import { runTs } from '../processes';
import { TEST_PSEUDONYM_KEY } from '../factories/citizens';
import { formatPseudonymKey } from '../../subgraphs/kit/pseudonym';

/*
 * The maintenance commands open a subgraph's database through scripts/subgraph-database.ts: they
 * report per subgraph, and a database they cannot reach is named without the driver's message
 * (it would carry the URL and its password).
 */

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('movement');
});
afterAll(async () => {
  await db?.drop();
});

const unreachable = 'postgres://owner:s3cret-pw@127.0.0.1:1/nowhere';

test('npm run purge runs the retention rules of one database, and names an unreachable one without its URL', async () => {
  const ok = runTs('scripts/purge.ts', ['--subgraph', 'movement', '--database-url', db.url], {});
  expect(await ok.exited).toBe(0);
  expect(ok.output()).toMatch(/^movement: \S+: 0 purged in 0 range\(s\), before /m);

  const down = runTs('scripts/purge.ts', ['--subgraph', 'movement', '--database-url', unreachable], {});
  expect(await down.exited).toBe(1);
  expect(down.output()).toContain('cannot connect to the movement database');
  expect(down.output()).not.toContain('s3cret-pw');
});

test('npm run rekey-pseudonyms --check counts one database, and names an unreachable one without its URL', async () => {
  const env = { PSEUDONYM_KEY: formatPseudonymKey(TEST_PSEUDONYM_KEY) };
  const check = runTs(
    'scripts/rekey-pseudonyms.ts',
    ['--check', '--subgraph', 'movement', '--database-url', db.url],
    env,
  );
  expect(await check.exited).toBe(0);
  expect(check.output()).toContain('movement');

  const down = runTs(
    'scripts/rekey-pseudonyms.ts',
    ['--check', '--subgraph', 'movement', '--database-url', unreachable],
    env,
  );
  expect(await down.exited).toBe(1);
  expect(down.output()).toContain('cannot connect to the movement database');
  expect(down.output()).not.toContain('s3cret-pw');
});
