import { testCitizenRef } from '../factories/citizens';
import { insertMovement } from '../factories/movement';
import { testInstant, UNITS } from '../factories/sequence';
import { startStack, type Stack } from '../stack';
import { pageThrough, type Connection } from '../subgraph-assertions';
import { ANALYST, DPO, expectError, OFFICIAL } from './helpers';

/*
 * The movement subgraph's reads through the gateway: one declaration with every field, inbound and
 * outbound lists at each unit level, passengers on a conveyance around Vietnamese midnight, and a
 * citizen's movements as declarant and as companion. Rows are inserted by the factory at fixed
 * 2021 instants (demo data lives in the last 14 days and never overlaps).
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.stop();
});

const ids = (c: Connection<{ id: string }>) => c.edges.map((e) => e.node.id);

describe('movement(id)', () => {
  test('returns every field, with its units named by the organisations subgraph', async () => {
    const m = await insertMovement(stack.db.movement, {
      citizenRef: testCitizenRef(101),
      companionRefs: [testCitizenRef(102), testCitizenRef(103)],
      conveyanceId: 'VN213',
      seat: '12A',
      originWardCode: null,
      originDetail: '1 Phố Phúc Xá',
      destinationDetail: '2 Lê Lợi',
      transitUnitCodes: ['48'],
      purpose: 'Family visit',
      status: 'APPROVED',
      decidedBy: 'dev-health-79',
      decidedAt: testInstant(1),
      decisionNote: 'Documents checked',
    });
    const res = await stack.as(OFFICIAL).query<{ movement: Record<string, unknown> }>(
      `query($id: ID!) { movement(id: $id) {
        id mode conveyanceId seat departAt arriveAt status validUntil declaredAt decidedBy decidedAt decisionNote purpose
        citizen { ref } companions { ref }
        originProvince { code name } originDistrict { code } originWard { code } originDetail
        destinationProvince { code name } destinationDistrict { code } destinationWard { code } destinationDetail
        transitUnits { code name }
        statusHistory { from to by reason }
      } }`,
      { id: m.id },
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.movement).toEqual({
      id: m.id,
      mode: 'PLANE',
      conveyanceId: 'VN213',
      seat: '12A',
      departAt: m.departAt.toISOString(),
      arriveAt: m.arriveAt!.toISOString(),
      status: 'APPROVED',
      validUntil: m.validUntil.toISOString(),
      declaredAt: m.declaredAt.toISOString(),
      decidedBy: 'dev-health-79',
      decidedAt: testInstant(1).toISOString(),
      decisionNote: 'Documents checked',
      purpose: 'Family visit',
      citizen: { ref: testCitizenRef(101) },
      companions: [{ ref: testCitizenRef(102) }, { ref: testCitizenRef(103) }],
      originProvince: { code: '01', name: 'Thành phố Hà Nội' },
      originDistrict: { code: UNITS.haNoi.district },
      originWard: null,
      originDetail: '1 Phố Phúc Xá',
      destinationProvince: { code: '79', name: 'Thành phố Hồ Chí Minh' },
      destinationDistrict: { code: UNITS.hoChiMinh.district },
      destinationWard: { code: UNITS.hoChiMinh.ward },
      destinationDetail: '2 Lê Lợi',
      transitUnits: [{ code: '48', name: 'Thành phố Đà Nẵng' }],
      statusHistory: [
        { from: null, to: 'DECLARED', by: 'test-app', reason: null },
        { from: 'DECLARED', to: 'APPROVED', by: 'dev-health-79', reason: null },
      ],
    });
  });

  test('is null for an unknown or malformed id', async () => {
    const res = await stack
      .as(OFFICIAL)
      .query(`{ a: movement(id: "00000000-0000-4000-8000-000000000000") { id } b: movement(id: "x") { id } }`);
    expect(res.body).toEqual({ data: { a: null, b: null } });
  });

  test('is FORBIDDEN without movement:read', async () => {
    const m = await insertMovement(stack.db.movement);
    const res = await stack.as(ANALYST).query(`query($id: ID!) { movement(id: $id) { id } }`, { id: m.id });
    expectError(res, 'FORBIDDEN');
    expect(res.body.data).toEqual({ movement: null });
  });
});

describe('inboundMovements and outboundMovements', () => {
  // A window of its own (September 2022) so these rows are the only ones in it.
  const at = (day: number, hour = 8) => new Date(Date.UTC(2022, 8, day, hour));
  const FROM = at(1, 0).toISOString();
  const TO = at(30, 0).toISOString();

  const INBOUND = `query($code: ID!, $from: DateTime, $to: DateTime, $first: Int, $after: String) {
    inboundMovements(destinationUnitCode: $code, from: $from, to: $to, first: $first, after: $after) {
      edges { cursor node { id } } pageInfo { hasNextPage endCursor }
    } }`;
  const OUTBOUND = INBOUND.replace('inboundMovements(destinationUnitCode', 'outboundMovements(originUnitCode');
  type Inbound = { inboundMovements: Connection<{ id: string }> };
  type Outbound = { outboundMovements: Connection<{ id: string }> };

  let q1: string, q2: string, q3: string, elsewhere: string, outside: string;
  beforeAll(async () => {
    const ds = stack.db.movement;
    // To Quận 1 (760), ward Bến Nghé; to Quận 3 (770), ward 27139; from Đà Nẵng (48) to Hà Nội.
    q1 = (await insertMovement(ds, { departAt: at(3), arriveAt: null })).id;
    q2 = (await insertMovement(ds, { departAt: at(2), arriveAt: null, destinationWardCode: null })).id;
    q3 = (
      await insertMovement(ds, {
        departAt: at(2),
        arriveAt: null,
        destinationDistrictCode: '770',
        destinationWardCode: '27139',
      })
    ).id;
    elsewhere = (
      await insertMovement(ds, {
        departAt: at(4),
        arriveAt: null,
        originProvinceCode: '48',
        originDistrictCode: '490',
        originWardCode: '20194',
        destinationProvinceCode: '01',
        destinationDistrictCode: '001',
        destinationWardCode: '00001',
      })
    ).id;
    outside = (await insertMovement(ds, { departAt: at(30), arriveAt: null })).id;
  });

  test.each([
    ['province', '79', () => [q2, q3, q1]], // q2 and q3 depart together: by id
    ['district', '760', () => [q2, q1]],
    ['ward', '26740', () => [q1]],
  ])(
    'inbound matches the destination at the %s level of the code, oldest departure first',
    async (_, code, expected) => {
      const res = await stack.as(OFFICIAL).query<Inbound>(INBOUND, { code, from: FROM, to: TO });
      expect(res.body.errors).toBeUndefined();
      expect(ids(res.body.data!.inboundMovements)).toEqual(expected());
      expect(ids(res.body.data!.inboundMovements)).not.toContain(outside);
    },
  );

  // Đà Nẵng → Hà Nội is in the jurisdiction of Hà Nội's official; the others arrive in 79.
  test.each([
    ['province', '48', () => [elsewhere], 'dev-health-01'],
    ['district', '490', () => [elsewhere], 'dev-health-01'],
    ['ward', '20194', () => [elsewhere], 'dev-health-01'],
    ['province', '01', () => [q2, q3, q1], OFFICIAL],
  ])('outbound matches the origin at the %s level of the code (%s)', async (_, code, expected, subject) => {
    const res = await stack.as(subject).query<Outbound>(OUTBOUND, { code, from: FROM, to: TO });
    expect(res.body.errors).toBeUndefined();
    expect(ids(res.body.data!.outboundMovements)).toEqual(expected());
  });

  test('pages with cursors until the last page, in the same order as one page', async () => {
    const all = await stack.as(OFFICIAL).query<Inbound>(INBOUND, { code: '79', from: FROM, to: TO });
    const paged = await pageThrough(2, async (after) => {
      const res = await stack.as(OFFICIAL).query<Inbound>(INBOUND, { code: '79', from: FROM, to: TO, first: 2, after });
      expect(res.body.errors).toBeUndefined();
      return res.body.data!.inboundMovements;
    });
    expect(paged.map((n) => n.id)).toEqual(ids(all.body.data!.inboundMovements));
  });

  test('without `from`, lists start 14 days ago', async () => {
    // Cần Thơ (92) is used by no other row or demo record.
    const recent = await insertMovement(stack.db.movement, {
      departAt: new Date(Date.now() - 1 * 86_400_000),
      arriveAt: null,
      destinationProvinceCode: '92',
    });
    await insertMovement(stack.db.movement, {
      departAt: new Date(Date.now() - 20 * 86_400_000),
      arriveAt: null,
      destinationProvinceCode: '92',
    });
    // Departing from Hà Nội (the factory's origin): in the jurisdiction of dev-health-01.
    const res = await stack.as('dev-health-01').query<Inbound>(INBOUND, { code: '92' });
    expect(ids(res.body.data!.inboundMovements)).toEqual([recent.id]);
  });

  test.each([
    ['first above the maximum', { code: '79', first: 201 }, 'first'],
    ['a code of no unit level', { code: '7901' }, 'destinationUnitCode'],
    ['a code that is not digits', { code: 'HN' }, 'destinationUnitCode'],
    ['`to` not after `from`', { code: '79', from: TO, to: FROM }, 'to'],
    ['a cursor from elsewhere', { code: '79', after: 'bm90LWEtY3Vyc29y' }, 'after'],
  ])('refuses %s with BAD_USER_INPUT', async (_, variables, field) => {
    const res = await stack.as(OFFICIAL).query(INBOUND, variables);
    expectError(res, 'BAD_USER_INPUT', field);
  });

  test('outbound names its own argument in errors', async () => {
    const res = await stack.as(OFFICIAL).query(OUTBOUND, { code: '1' });
    expectError(res, 'BAD_USER_INPUT', 'originUnitCode');
  });

  test('is FORBIDDEN without movement:read', async () => {
    const res = await stack.as(ANALYST).query(INBOUND, { code: '79' });
    expectError(res, 'FORBIDDEN');
  });
});

describe('passengersOnConveyance', () => {
  // Vietnamese midnight between 10 and 11 September 2021 is 2021-09-10T17:00:00Z.
  const MIDNIGHT = Date.UTC(2021, 8, 10, 17);
  // A bulk search by conveyance declares a purpose.
  const searcher = () => stack.as(OFFICIAL, { purpose: 'contact tracing' });
  const QUERY = `query($id: String!, $date: Date!) {
    passengersOnConveyance(conveyanceId: $id, date: $date) { id conveyanceId seat departAt companions { ref } }
  }`;
  type Passengers = { passengersOnConveyance: { id: string; conveyanceId: string; seat: string | null }[] };

  let lastOfTenth: string, firstOfEleventh: string, lastOfEleventh: string, firstOfTwelfth: string;
  beforeAll(async () => {
    const flight = (offsetMs: number, seat: string | null, companions: string[] = []) =>
      insertMovement(stack.db.movement, {
        conveyanceId: 'VN999',
        seat,
        departAt: new Date(MIDNIGHT + offsetMs),
        arriveAt: null,
        companionRefs: companions,
      });
    lastOfTenth = (await flight(-1, '1A')).id;
    firstOfEleventh = (await flight(0, '2B', [testCitizenRef(301)])).id;
    lastOfEleventh = (await flight(86_400_000 - 1, null)).id;
    firstOfTwelfth = (await flight(86_400_000, '3C')).id;
    await insertMovement(stack.db.movement, { conveyanceId: 'VN998', departAt: new Date(MIDNIGHT + 3_600_000) });
  });

  test('lists the declarations departing on that Vietnamese calendar day, from local midnight to the next', async () => {
    const res = await searcher().query<Passengers>(QUERY, { id: 'VN999', date: '2021-09-11' });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.passengersOnConveyance.map((p) => p.id)).toEqual([firstOfEleventh, lastOfEleventh]);
    expect(res.body.data!.passengersOnConveyance[0]).toMatchObject({ companions: [{ ref: testCitizenRef(301) }] });

    const before = await searcher().query<Passengers>(QUERY, { id: 'VN999', date: '2021-09-10' });
    expect(before.body.data!.passengersOnConveyance.map((p) => p.id)).toEqual([lastOfTenth]);
    const after = await searcher().query<Passengers>(QUERY, { id: 'VN999', date: '2021-09-12' });
    expect(after.body.data!.passengersOnConveyance.map((p) => p.id)).toEqual([firstOfTwelfth]);
  });

  test('compares conveyance ids upper-case without spaces, plates in one spelling', async () => {
    const res = await searcher().query<Passengers>(QUERY, { id: ' vn 999 ', date: '2021-09-11' });
    expect(res.body.data!.passengersOnConveyance.map((p) => p.id)).toEqual([firstOfEleventh, lastOfEleventh]);

    const coach = await insertMovement(stack.db.movement, {
      mode: 'COACH',
      conveyanceId: '29B-123.45',
      departAt: new Date(MIDNIGHT + 5 * 3_600_000),
    });
    for (const spelling of ['29b12345', '29B-12345', '29B 123.45']) {
      const found = await searcher().query<Passengers>(QUERY, { id: spelling, date: '2021-09-11' });
      expect(found.body.data!.passengersOnConveyance.map((p) => p.id)).toEqual([coach.id]);
    }
  });

  test('needs movement:read and pii:read', async () => {
    const res = await stack.as(DPO).query(QUERY, { id: 'VN999', date: '2021-09-11' });
    expectError(res, 'FORBIDDEN');
  });

  test('refuses an empty conveyance id', async () => {
    const res = await searcher().query(QUERY, { id: '  ', date: '2021-09-11' });
    expectError(res, 'BAD_USER_INPUT', 'conveyanceId');
  });
});

describe('Citizen.movements', () => {
  test('a companion sees the journey in their own movements, newest first, narrowed by since', async () => {
    const declarant = testCitizenRef(401);
    const companion = testCitizenRef(402);
    const together = await insertMovement(stack.db.movement, {
      citizenRef: declarant,
      companionRefs: [companion],
      departAt: testInstant(100),
      arriveAt: null,
    });
    const own = await insertMovement(stack.db.movement, {
      citizenRef: companion,
      departAt: testInstant(200),
      arriveAt: null,
    });
    const res = await stack.as(OFFICIAL).query<{
      movement: {
        citizen: { ref: string; movements: { id: string }[] };
        companions: { ref: string; movements: { id: string }[]; recent: { id: string }[] }[];
      };
    }>(
      `query($id: ID!, $since: DateTime) { movement(id: $id) {
        citizen { ref movements { id } }
        companions { ref movements { id } recent: movements(since: $since) { id } }
      } }`,
      { id: together.id, since: testInstant(150).toISOString() },
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.movement).toEqual({
      citizen: { ref: declarant, movements: [{ id: together.id }] },
      companions: [{ ref: companion, movements: [{ id: own.id }, { id: together.id }], recent: [{ id: own.id }] }],
    });
  });
});
