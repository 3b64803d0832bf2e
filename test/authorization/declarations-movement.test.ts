import { testCitizenDocumentNumber, testCitizenRef } from '../factories/citizens';
import { insertCitizen, insertDeclaration, submitInput } from '../factories/declarations';
import { insertMovement } from '../factories/movement';
import { UNITS } from '../factories/sequence';
import { startStack, type GraphQLResponse, type Stack } from '../stack';

/*
 * Record-level authorisation of the declarations and movement subgraphs, through the gateway:
 * jurisdiction (lists, by id, nested fields, entity joins, writes), masking of identity values,
 * the declared purpose of person-centric and bulk reads, and small-count suppression.
 */

let stack: Stack;
const PURPOSE = { purpose: 'case investigation' };
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

const HN = UNITS.haNoi;
const HCM = UNITS.hoChiMinh;
const inHaNoi = { provinceCode: HN.province, districtCode: HN.district, wardCode: HN.ward };
const inHoChiMinh = { provinceCode: HCM.province, districtCode: HCM.district, wardCode: HCM.ward };
const AT = (hour: number) => new Date(Date.UTC(2025, 4, 10, hour));

// Person 5001 declared in Hà Nội (01), person 5002 in Hồ Chí Minh City (79).
const hanoian = 5001;
const saigonese = 5002;
let decl01: string, decl79: string;
let journey79to92: string, journey01to79: string;

beforeAll(async () => {
  stack = await startStack();
  const ds = stack.db.declarations;
  for (const n of [hanoian, saigonese]) {
    await insertCitizen(ds, {
      ref: testCitizenRef(n),
      documentType: 'CCCD',
      documentNumber: testCitizenDocumentNumber(n),
      documentCountry: 'VN',
    });
  }
  decl01 = (await insertDeclaration(ds, { citizenRef: testCitizenRef(hanoian), submittedAt: AT(1), ...inHaNoi })).id;
  decl79 = (await insertDeclaration(ds, { citizenRef: testCitizenRef(saigonese), submittedAt: AT(2), ...inHoChiMinh }))
    .id;
  const mv = stack.db.movement;
  journey79to92 = (
    await insertMovement(mv, {
      citizenRef: testCitizenRef(saigonese),
      originProvinceCode: '79',
      originDistrictCode: null,
      originWardCode: null,
      destinationProvinceCode: '92',
      destinationDistrictCode: null,
      destinationWardCode: null,
      departAt: AT(3),
      arriveAt: null,
    })
  ).id;
  journey01to79 = (await insertMovement(mv, { citizenRef: testCitizenRef(saigonese), departAt: AT(4), arriveAt: null }))
    .id;
});
afterAll(async () => {
  await stack.stop();
});

const errorOf = (res: GraphQLResponse<unknown>) => res.body.errors?.[0]?.extensions ?? {};

describe('jurisdiction', () => {
  const LIST = `query($unit: ID!) { declarations(filter: { unitCode: $unit, from: "2025-05-10T00:00:00Z", to: "2025-05-11T00:00:00Z" }) {
    edges { node { id province { code } } }
  } }`;
  // A unit containing both records: none is a unit of both provinces, so list each province's
  // unit and the national view.
  const ids = async (subject: string, unit: string) => {
    const res = await stack.as(subject).query<{ declarations: { edges: { node: { id: string } }[] } }>(LIST, { unit });
    expect(res.body.errors).toBeUndefined();
    return res.body.data!.declarations.edges.map((e) => e.node.id);
  };

  test('lists: each province sees its own records, the national DPO both', async () => {
    expect(await ids('dev-health-01', '01')).toEqual([decl01]);
    expect(await ids('dev-health-01', '79')).toEqual([]);
    expect(await ids('dev-health-79', '79')).toEqual([decl79]);
    expect(await ids('dev-health-79', '01')).toEqual([]);
    expect(await ids('dev-dpo', '01')).toEqual([decl01]);
    expect(await ids('dev-dpo', '79')).toEqual([decl79]);
  });

  test('movement lists: a journey is seen where it starts, ends or passes', async () => {
    const Q = `query($unit: ID!) { outboundMovements(originUnitCode: $unit, from: "2025-05-01T00:00:00Z") { edges { node { id } } } }`;
    const out = async (subject: string, unit: string) =>
      (
        await stack.as(subject).query<{ outboundMovements: { edges: { node: { id: string } }[] } }>(Q, { unit })
      ).body.data!.outboundMovements.edges.map((e) => e.node.id);
    expect(await out('dev-health-79', '79')).toEqual([journey79to92]);
    expect(await out('dev-health-79', '01')).toEqual([journey01to79]); // arrives in 79
    expect(await out('dev-health-01', '79')).toEqual([]);
    expect(await out('dev-health-01', '01')).toEqual([journey01to79]);
    expect(await out('dev-dpo', '79')).toEqual([journey79to92]);
  });

  test('by id outside the jurisdiction: the same response as a missing id', async () => {
    const Q = `query($id: ID!) { declaration(id: $id) { id } }`;
    const outside = await stack.as('dev-health-01').query(Q, { id: decl79 });
    const missing = await stack.as('dev-health-01').query(Q, { id: UNKNOWN_ID });
    expect(outside.body).toEqual({ data: { declaration: null } });
    expect(outside.body).toEqual(missing.body);
    expect((await stack.as('dev-health-79').query(Q, { id: decl79 })).body).toEqual({
      data: { declaration: { id: decl79 } },
    });

    const M = `query($id: ID!) { movement(id: $id) { id } }`;
    const journey = await stack.as('dev-health-01').query(M, { id: journey79to92 });
    expect(journey.body).toEqual((await stack.as('dev-health-01').query(M, { id: UNKNOWN_ID })).body);
    expect(journey.body).toEqual({ data: { movement: null } });

    const C = `query($ref: ID!) { citizen(ref: $ref) { ref } }`;
    const person = await stack.as('dev-health-01', PURPOSE).query(C, { ref: testCitizenRef(saigonese) });
    expect(person.body).toEqual({ data: { citizen: null } });
    expect(person.body).toEqual(
      (await stack.as('dev-health-01', PURPOSE).query(C, { ref: testCitizenRef(987654) })).body,
    );
  });

  test('nested and entity-join paths show only in-jurisdiction records', async () => {
    // The journey 01 → 79 is in Hà Nội's jurisdiction; its traveller declared only in 79.
    const Q = `query($id: ID!) { movement(id: $id) { id citizen { ref declarations { id } } } }`;
    const res = await stack.as('dev-health-01', PURPOSE).query<{
      movement: { id: string; citizen: { declarations: { id: string }[] } | null };
    }>(Q, { id: journey01to79 });
    expect(res.body.data?.movement?.id).toBe(journey01to79);
    expect(JSON.stringify(res.body)).not.toContain(decl79);
    expect(res.body.data!.movement!.citizen?.declarations ?? []).toEqual([]);
    // Hồ Chí Minh City's official reaches the same person's declaration through the same path.
    const own = await stack.as('dev-health-79', PURPOSE).query<typeof res.body.data>(Q, { id: journey01to79 });
    expect(own.body.errors).toBeUndefined();
    expect(own.body.data!.movement!.citizen).toEqual({
      ref: testCitizenRef(saigonese),
      declarations: [{ id: decl79 }],
    });

    // A citizen's movements (an entity join into movement) keep only journeys in jurisdiction.
    const T = `query($ref: ID!) { citizen(ref: $ref) { movements { id } } }`;
    const seen = await stack.as('dev-health-79', PURPOSE).query<{ citizen: { movements: { id: string }[] } }>(T, {
      ref: testCitizenRef(saigonese),
    });
    expect(seen.body.errors).toBeUndefined();
    expect(seen.body.data!.citizen.movements.map((m) => m.id)).toEqual([journey01to79, journey79to92]);
  });

  test('writes outside the jurisdiction are refused and write nothing', async () => {
    const count = async () =>
      ((await stack.db.declarations.query(`SELECT count(*)::int AS n FROM health_declaration`)) as { n: number }[])[0]!
        .n;
    const before = await count();
    const submit = await stack
      .as('dev-health-01')
      .query(`mutation($input: SubmitDeclarationInput!) { submitDeclaration(input: $input) { id } }`, {
        input: submitInput(5003, { responsibleUnit: inHoChiMinh }),
      });
    expect(submit.body.data).toBeNull();
    expect(errorOf(submit)).toMatchObject({ code: 'FORBIDDEN', field: 'responsibleUnit.provinceCode' });

    // Amending another province's declaration answers like a missing id.
    const AMEND = `mutation($id: ID!, $input: AmendDeclarationInput!) {
      amendDeclaration(id: $id, expectedVersion: 1, input: $input, reason: "typo") { id } }`;
    const {
      kind: _kind,
      channel: _channel,
      submittedAt: _at,
      ...form
    } = submitInput(saigonese, {
      responsibleUnit: inHoChiMinh,
    });
    const outside = await stack.as('dev-health-01').query(AMEND, { id: decl79, input: form });
    const missing = await stack.as('dev-health-01').query(AMEND, { id: UNKNOWN_ID, input: form });
    expect(errorOf(outside).code).toBe('NOT_FOUND');
    expect(outside.body.errors![0]!.message).toBe(missing.body.errors![0]!.message);
    expect(await count()).toBe(before);

    // Declaring a journey needs its origin or destination in jurisdiction.
    const journeys = async () =>
      ((await stack.db.movement.query(`SELECT count(*)::int AS n FROM movement_declaration`)) as { n: number }[])[0]!.n;
    const beforeJourneys = await journeys();
    const declare = await stack
      .as('dev-consumer-79')
      .query(`mutation($input: DeclareMovementInput!) { declareMovement(input: $input) { id } }`, {
        input: {
          citizen: { type: 'CCCD', number: testCitizenDocumentNumber(5004) },
          mode: 'CAR',
          conveyanceId: '29A-123.45',
          departAt: new Date(Date.now() + 86_400_000).toISOString(),
          origin: { provinceCode: '01' },
          destination: { provinceCode: '48' },
        },
      });
    expect(errorOf(declare)).toMatchObject({ code: 'FORBIDDEN', field: 'destination.provinceCode' });
    expect(await journeys()).toBe(beforeJourneys);

    // Deciding a journey outside the jurisdiction answers like a missing id.
    const approve = await stack
      .as('dev-health-01')
      .query(`mutation($id: ID!) { approveMovement(id: $id) { id } }`, { id: journey79to92 });
    expect(errorOf(approve).code).toBe('NOT_FOUND');
  });

  test('statistics: a unit outside the jurisdiction is FORBIDDEN naming unitCode', async () => {
    const res = await stack
      .as('dev-health-01')
      .query(
        `{ declarationStats(unitCode: "79", from: "2025-05-10", to: "2025-05-10", groupBy: KIND) { declarations } }`,
      );
    expect(errorOf(res)).toMatchObject({ code: 'FORBIDDEN', field: 'unitCode' });
  });
});

describe('masking', () => {
  const Q = `query($ref: ID!) { citizen(ref: $ref) { identity { phone yearOfBirth document { number } } } }`;

  test('a DPO (no pii:read) gets masked identity numbers and phones, never the clear values', async () => {
    const res = await stack.as('dev-dpo', PURPOSE).query<{
      citizen: { identity: { phone: string; yearOfBirth: number | null; document: { number: string } } };
    }>(Q, { ref: testCitizenRef(hanoian) });
    const identity = res.body.data!.citizen.identity;
    const number = testCitizenDocumentNumber(hanoian);
    expect(identity.document.number).toBe(`0010******${number.slice(-2)}`);
    expect(identity.phone).toMatch(/^\+84\*+\d{2}$/);
    // Other personal fields stay pii:read only.
    expect(identity.yearOfBirth).toBeNull();
    expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(JSON.stringify(res.body)).not.toContain(number);
  });

  test('an official with pii:read gets the clear values', async () => {
    const res = await stack.as('dev-health-01', PURPOSE).query<{
      citizen: { identity: { phone: string; document: { number: string } } };
    }>(Q, { ref: testCitizenRef(hanoian) });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.citizen.identity.document.number).toBe(testCitizenDocumentNumber(hanoian));
    expect(res.body.data!.citizen.identity.phone).toMatch(/^\+849\d{8}$/);
  });
});

describe('purpose', () => {
  const expectPurposeRequired = (res: GraphQLResponse<unknown>, field: string) => {
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'PURPOSE_REQUIRED' });
    // No data: the field is null (or, for a non-null field, the whole data).
    expect((res.body.data as Record<string, unknown> | null)?.[field] ?? null).toBeNull();
  };

  test('citizenByDocument, citizen(ref) and passengersOnConveyance are refused without x-purpose', async () => {
    const number = testCitizenDocumentNumber(hanoian);
    const byDocument = `query($n: String!) { citizenByDocument(type: CCCD, number: $n) { ref } }`;
    expectPurposeRequired(await stack.as('dev-health-01').query(byDocument, { n: number }), 'citizenByDocument');
    expect((await stack.as('dev-health-01', PURPOSE).query(byDocument, { n: number })).body).toEqual({
      data: { citizenByDocument: { ref: testCitizenRef(hanoian) } },
    });

    const timeline = `query($ref: ID!) { citizen(ref: $ref) { declarations { id } } }`;
    expectPurposeRequired(await stack.as('dev-health-01').query(timeline, { ref: testCitizenRef(hanoian) }), 'citizen');

    const passengers = `{ passengersOnConveyance(conveyanceId: "VN213", date: "2025-05-10") { id } }`;
    expectPurposeRequired(await stack.as('dev-health-79').query(passengers), 'passengersOnConveyance');
  });

  test("a citizen's timeline through an entity join needs a purpose too", async () => {
    const Q = `query($id: ID!) { movement(id: $id) { id citizen { ref declarations { id } movements { id } } } }`;
    const res = await stack.as('dev-health-79').query<{ movement: { id: string } }>(Q, { id: journey01to79 });
    expect(res.body.errors?.length).toBeGreaterThan(0);
    expect(res.body.errors!.every((e) => (e.extensions as { reason?: string }).reason === 'PURPOSE_REQUIRED')).toBe(
      true,
    );
    expect(JSON.stringify(res.body)).not.toContain(decl79);
  });
});

describe('small counts', () => {
  const STATS = `{ declarationStats(unitCode: "79", from: "2025-05-10", to: "2025-05-10", groupBy: KIND) {
    kind declarations symptomatic } }`;

  test('an analyst gets counts below 5 suppressed; an official of the province the full counts', async () => {
    const analyst = await stack.as('dev-analyst').query(STATS);
    expect(analyst.body).toEqual({
      data: { declarationStats: [{ kind: 'UNIVERSAL', declarations: null, symptomatic: null }] },
    });
    const official = await stack.as('dev-health-79').query(STATS);
    expect(official.body).toEqual({
      data: { declarationStats: [{ kind: 'UNIVERSAL', declarations: 1, symptomatic: 0 }] },
    });
  });
});
