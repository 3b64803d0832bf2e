import { testCitizenRef } from '../factories/citizens';
import { insertDeclaration, insertMonitoringPeriod, testDocumentInput } from '../factories/declarations';
import { pageThrough, type Connection } from '../subgraph-assertions';
import { startStack, type Stack } from '../stack';
import { countRows, expectError, ok, PLACE, RECORD_DAILY } from './helpers';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.stop();
});

// Province 01's official; reads of a person's record declare a purpose.
const official = () => stack.as('dev-health-01', { purpose: 'case investigation' });

describe('placeUnderMonitoring', () => {
  test('opens a period for a person with a declaration on record, found by document', async () => {
    await insertDeclaration(stack.db.declarations, { citizenRef: testCitizenRef(41) });
    const input = {
      document: testDocumentInput(41),
      unit: { provinceCode: '01' },
      startsOn: '2025-05-01',
      endsOn: '2025-05-14',
      reason: '  Close contact (F1) of case BN1234  ',
    };
    const placed = ok(await official().query<{ placeUnderMonitoring: { id: string } }>(PLACE, { input }));
    const res = await official().query<{ citizen: { monitoringPeriods: unknown[] } }>(
      `query($ref: ID!) { citizen(ref: $ref) { monitoringPeriods {
          id citizen { ref } province { code } district { code } startsOn endsOn reason createdBy createdAt sourceDeclaration { id }
      } } }`,
      { ref: testCitizenRef(41) },
    );
    expect(ok(res).citizen.monitoringPeriods).toEqual([
      {
        id: placed.placeUnderMonitoring.id,
        citizen: { ref: testCitizenRef(41) },
        province: { code: '01' },
        district: null,
        startsOn: '2025-05-01',
        endsOn: '2025-05-14',
        reason: 'Close contact (F1) of case BN1234',
        createdBy: 'dev-health-01',
        createdAt: expect.any(String),
        sourceDeclaration: null,
      },
    ]);
  });

  test.each([
    ['an unknown person', { citizenRef: testCitizenRef(4999) }, 'citizenRef'],
    [
      'both a pseudonym and a document',
      { citizenRef: testCitizenRef(42), document: testDocumentInput(42) },
      'citizenRef',
    ],
    ['a malformed document', { citizenRef: null, document: { type: 'CCCD', number: '123' } }, 'document.number'],
    ['an end before the start', { endsOn: '2025-04-30' }, 'endsOn'],
    ['more than 60 days', { endsOn: '2025-06-30' }, 'endsOn'],
    ['a blank reason', { reason: ' ' }, 'reason'],
    ['an unknown province', { unit: { provinceCode: '99' } }, 'unit.provinceCode'],
  ])('refuses %s, writing nothing', async (_what, overrides, field) => {
    await insertDeclaration(stack.db.declarations, { citizenRef: testCitizenRef(42) });
    const input = {
      citizenRef: testCitizenRef(42),
      unit: { provinceCode: '01' },
      startsOn: '2025-05-01',
      endsOn: '2025-05-14',
      reason: 'F1',
      ...overrides,
    };
    const before = await countRows(stack.db.declarations);
    expectError(await official().query(PLACE, { input }), 'BAD_USER_INPUT', field);
    expect(await countRows(stack.db.declarations)).toEqual(before);
  });

  test('needs declarations:write', async () => {
    const input = {
      citizenRef: testCitizenRef(41),
      unit: { provinceCode: '01' },
      startsOn: '2025-05-01',
      endsOn: '2025-05-02',
      reason: 'F1',
    };
    expectError(await stack.as('dev-checkpoint-01').query(PLACE, { input }), 'FORBIDDEN');
  });
});

describe('recordDailyMonitoring', () => {
  const ref = testCitizenRef(43);
  beforeAll(async () => {
    await insertDeclaration(stack.db.declarations, { citizenRef: ref, fullName: 'Trần Văn Theo Dõi' });
    await insertMonitoringPeriod(stack.db.declarations, {
      citizenRef: ref,
      provinceCode: '79',
      districtCode: '760',
      startsOn: '2025-05-01',
      endsOn: '2025-05-14',
    });
  });
  const daily = (input: Record<string, unknown>) =>
    stack.as('dev-consumer-79').query<{ recordDailyMonitoring: { id: string } }>(RECORD_DAILY, {
      input: { channel: 'app', questionnaireVersion: 'daily-1', symptoms: [], ...input },
    });

  test('records a daily declaration with the latest identity and the period’s unit, by pseudonym or document', async () => {
    const byRef = ok(
      await daily({
        citizenRef: ref,
        submittedAt: '2025-05-02T12:00:00Z',
        symptoms: ['FEVER'],
        temperatureCelsius: 38.46,
      }),
    );
    const byDocument = ok(await daily({ document: testDocumentInput(43), submittedAt: '2025-05-03T12:00:00Z' }));
    const res = await stack
      .as('dev-health-79', { purpose: 'monitoring follow-up' })
      .query<{ citizen: { declarations: unknown[] } }>(
        `query($ref: ID!) { citizen(ref: $ref) { declarations(kinds: [DAILY_MONITORING]) {
          id kind submittedAt province { code } district { code } ward { code } identity { fullName }
          symptomWindowDays symptoms symptomatic temperatureCelsius recordedBy
      } } }`,
        { ref },
      );
    const common = { kind: 'DAILY_MONITORING', province: { code: '79' }, district: { code: '760' }, ward: null };
    const who = { identity: { fullName: 'Trần Văn Theo Dõi' }, symptomWindowDays: 1, recordedBy: 'dev-consumer-79' };
    expect(ok(res).citizen.declarations).toEqual([
      {
        id: byDocument.recordDailyMonitoring.id,
        ...common,
        ...who,
        submittedAt: '2025-05-03T12:00:00.000Z',
        symptoms: [],
        symptomatic: false,
        temperatureCelsius: null,
      },
      {
        id: byRef.recordDailyMonitoring.id,
        ...common,
        ...who,
        submittedAt: '2025-05-02T12:00:00.000Z',
        symptoms: ['FEVER'],
        symptomatic: true,
        temperatureCelsius: 38.5,
      },
    ]);
  });

  test.each([
    // 2025-05-14T17:30Z is 00:30 on 15 May in Viet Nam: the day after the period.
    [
      'a day after the period (Vietnamese time)',
      { citizenRef: ref, submittedAt: '2025-05-14T17:30:00Z' },
      'citizenRef',
    ],
    ['a day before the period', { citizenRef: ref, submittedAt: '2025-04-30T12:00:00Z' }, 'citizenRef'],
    [
      'a person under no monitoring',
      { citizenRef: testCitizenRef(4998), submittedAt: '2025-05-02T12:00:00Z' },
      'citizenRef',
    ],
    ['neither pseudonym nor document', { submittedAt: '2025-05-02T12:00:00Z' }, 'citizenRef'],
    [
      'a temperature out of range',
      { citizenRef: ref, submittedAt: '2025-05-02T12:00:00Z', temperatureCelsius: 30 },
      'temperatureCelsius',
    ],
    [
      'a submission in the future',
      { citizenRef: ref, submittedAt: new Date(Date.now() + 86_400_000).toISOString() },
      'submittedAt',
    ],
  ])('refuses %s, writing nothing', async (_what, input, field) => {
    const before = await countRows(stack.db.declarations);
    expectError(await daily(input), 'BAD_USER_INPUT', field);
    expect(await countRows(stack.db.declarations)).toEqual(before);
  });
});

describe('missedDailyMonitoring', () => {
  // Everyone is monitored in Thủ Đức (district 769) on 2025-06-10 unless stated otherwise.
  const DAY = '2025-06-10';
  const people = {
    declaredLate: 51,
    declaredAfterMidnight: 52,
    declaredDayBefore: 53,
    notCovered: 54,
    elsewhere: 55,
    universalOnly: 56,
    never: 57,
  };
  const ref = (n: number) => testCitizenRef(n);
  beforeAll(async () => {
    const ds = stack.db.declarations;
    for (const n of Object.values(people)) {
      await insertDeclaration(ds, { citizenRef: ref(n), submittedAt: new Date('2025-05-20T03:00:00Z') });
      await insertMonitoringPeriod(ds, {
        citizenRef: ref(n),
        provinceCode: '79',
        districtCode: n === people.elsewhere ? '760' : '769',
        startsOn: n === people.notCovered ? '2025-06-11' : '2025-06-04',
        endsOn: '2025-06-17',
      });
    }
    const dailyAt = (n: number, at: string) =>
      insertDeclaration(ds, {
        citizenRef: ref(n),
        kind: 'DAILY_MONITORING',
        submittedAt: new Date(at),
        provinceCode: '79',
      });
    await dailyAt(people.declaredLate, '2025-06-10T16:30:00Z'); // 23:30 on 10 June in Viet Nam
    await dailyAt(people.declaredAfterMidnight, '2025-06-10T17:30:00Z'); // 00:30 on 11 June
    await dailyAt(people.declaredDayBefore, '2025-06-09T02:00:00Z');
    await insertDeclaration(ds, {
      citizenRef: ref(people.universalOnly),
      submittedAt: new Date('2025-06-10T03:00:00Z'),
    });
  });

  const QUERY = `query($unit: ID!, $date: Date!, $first: Int, $after: String) {
    missedDailyMonitoring(unitCode: $unit, date: $date, first: $first, after: $after) {
      edges { cursor node { citizen { ref } period { district { code } startsOn endsOn } lastDailyDeclarationAt } }
      pageInfo { hasNextPage endCursor }
    }
  }`;
  type Missed = { citizen: { ref: string }; lastDailyDeclarationAt: string | null };
  const missed = async (unit: string, first?: number, after?: string | null) =>
    ok(
      await stack
        .as('dev-health-79')
        .query<{ missedDailyMonitoring: Connection<Missed> }>(QUERY, { unit, date: DAY, first, after }),
    ).missedDailyMonitoring;

  test('lists the people under monitoring with no daily declaration that Vietnamese day', async () => {
    const expected = [people.declaredAfterMidnight, people.declaredDayBefore, people.universalOnly, people.never]
      .map((n) => ref(n))
      .sort();
    const nodes = (await missed('769')).edges.map((e) => e.node);
    expect(nodes.map((n) => n.citizen.ref)).toEqual(expected);
    const last = Object.fromEntries(nodes.map((n) => [n.citizen.ref, n.lastDailyDeclarationAt]));
    expect(last).toEqual({
      [ref(people.declaredAfterMidnight)]: null,
      [ref(people.declaredDayBefore)]: '2025-06-09T02:00:00.000Z',
      [ref(people.universalOnly)]: null,
      [ref(people.never)]: null,
    });
    // The province includes the person monitored in another district.
    expect((await missed('79')).edges.map((e) => e.node.citizen.ref)).toEqual(
      [...expected, ref(people.elsewhere)].sort(),
    );
  });

  test('pages by pseudonym', async () => {
    const all = (await missed('769')).edges.map((e) => e.node.citizen.ref);
    const paged = await pageThrough(4, (after) => missed('769', 1, after));
    expect(paged.map((n) => n.citizen.ref)).toEqual(all);
  });

  test('needs sensitive:read besides declarations:read', async () => {
    const res = await stack.as('dev-checkpoint-01').query(QUERY, { unit: '769', date: DAY });
    expectError(res, 'FORBIDDEN');
  });
});
