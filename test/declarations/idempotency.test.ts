import { identityInput, insertDeclaration, insertMonitoringPeriod, submitInput } from '../factories/declarations';
import { testCitizenRef } from '../factories/citizens';
import { startStack, type Stack } from '../stack';
import { countRows, expectError, ok, RECORD_DAILY, SUBMIT } from './helpers';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.stop();
});

type Submitted = { submitDeclaration: { id: string; version: number } };
const submit = (input: Record<string, unknown>, key: string, subject = 'dev-consumer-79') =>
  stack.as(subject).query<Submitted>(SUBMIT, { input, key });

const declarationsOf = async (n: number): Promise<number> =>
  (
    (await stack.db.declarations.query(`SELECT count(*)::int AS n FROM health_declaration WHERE citizen_ref = $1`, [
      testCitizenRef(n),
    ])) as { n: number }[]
  )[0]!.n;

describe('submitDeclaration with an idempotency key', () => {
  test('a sequential replay returns the first declaration and records nothing new', async () => {
    const input = submitInput(21, { responsibleUnit: { provinceCode: '79' } });
    const first = ok(await submit(input, 'app-79:device-1:0001')).submitDeclaration;
    const before = await countRows(stack.db.declarations);
    // The same input with its keys in another order is the same input.
    const reordered = Object.fromEntries(Object.entries(input).reverse());
    const replay = ok(await submit(reordered, 'app-79:device-1:0001')).submitDeclaration;
    expect(replay).toEqual(first);
    expect(await countRows(stack.db.declarations)).toEqual(before);
    expect(await declarationsOf(21)).toBe(1);
  });

  test('the same key with a different input is a CONFLICT and records nothing', async () => {
    const input = submitInput(22, { responsibleUnit: { provinceCode: '79' } });
    ok(await submit(input, 'app-79:device-1:0002'));
    const before = await countRows(stack.db.declarations);
    const changed = { ...input, identity: identityInput(22, { phone: '+84911111122' }) };
    expectError(await submit(changed, 'app-79:device-1:0002'), 'CONFLICT');
    expect(await countRows(stack.db.declarations)).toEqual(before);
  });

  test('keys belong to their caller: another caller’s same key records its own declaration', async () => {
    const input = submitInput(23, { responsibleUnit: { provinceCode: '79' } });
    const mine = ok(await submit(input, 'shared-key-00023')).submitDeclaration;
    const theirs = ok(await submit(input, 'shared-key-00023', 'dev-health-79')).submitDeclaration;
    expect(theirs.id).not.toBe(mine.id);
    expect(await declarationsOf(23)).toBe(2);
  });

  test('five concurrent calls with one key record exactly one declaration', async () => {
    const input = submitInput(24, { responsibleUnit: { provinceCode: '79' } });
    const before = await countRows(stack.db.declarations);
    const results = await Promise.all(Array.from({ length: 5 }, () => submit(input, 'app-79:device-1:0024')));
    const ids = results.map((r) => ok(r).submitDeclaration.id);
    expect(new Set(ids).size).toBe(1);
    expect(await declarationsOf(24)).toBe(1);
    const after = await countRows(stack.db.declarations);
    expect(after).toEqual({
      ...before,
      citizens: before.citizens + 1,
      snapshots: before.snapshots + 1,
      declarations: before.declarations + 1,
      keys: before.keys + 1,
    });
  });
});

describe('recordDailyMonitoring with an idempotency key', () => {
  test('concurrent retries of one daily record create one declaration; a changed input conflicts', async () => {
    const ref = testCitizenRef(25);
    await insertDeclaration(stack.db.declarations, { citizenRef: ref });
    await insertMonitoringPeriod(stack.db.declarations, {
      citizenRef: ref,
      provinceCode: '79',
      startsOn: '2025-05-01',
      endsOn: '2025-05-14',
    });
    const input = {
      citizenRef: ref,
      submittedAt: '2025-05-05T12:00:00Z',
      channel: 'app',
      questionnaireVersion: 'daily-1',
      symptoms: [],
      temperatureCelsius: 36.7,
    };
    const before = await countRows(stack.db.declarations);
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        stack.as('dev-consumer-79').query<{ recordDailyMonitoring: { id: string } }>(RECORD_DAILY, {
          input,
          key: 'daily-25-2025-05-05',
        }),
      ),
    );
    expect(new Set(results.map((r) => ok(r).recordDailyMonitoring.id)).size).toBe(1);
    expect((await countRows(stack.db.declarations)).declarations).toBe(before.declarations + 1);

    const changed = await stack
      .as('dev-consumer-79')
      .query(RECORD_DAILY, { input: { ...input, symptoms: ['FEVER'] }, key: 'daily-25-2025-05-05' });
    expectError(changed, 'CONFLICT');
    expect((await countRows(stack.db.declarations)).declarations).toBe(before.declarations + 1);
  });
});
