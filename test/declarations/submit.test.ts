import { testCitizenDocumentNumber, testCitizenRef } from '../factories/citizens';
import { identityInput, insertDeclaration, submitInput } from '../factories/declarations';
import { testInstant, UNITS } from '../factories/sequence';
import { pageThrough, type Connection } from '../subgraph-assertions';
import { startStack, type Stack } from '../stack';
import { importOfficialUnitLists } from '../unit-lists';
import { countRows, DECLARATION_FIELDS, expectError, ok, SUBMIT } from './helpers';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  await importOfficialUnitLists(stack.db.declarations);
});
afterAll(async () => {
  await stack.stop();
});

// Province 01's official; reads of a person's record declare a purpose.
const official = () => stack.as('dev-health-01', { purpose: 'case investigation' });
const reader79 = () => stack.as('dev-health-79');

async function submit(input: Record<string, unknown>, subject = 'dev-health-01') {
  return stack.as(subject).query<{ submitDeclaration: { id: string; version: number } }>(SUBMIT, { input });
}

describe('submitDeclaration', () => {
  test('records the whole form, which declaration(id) returns answer for answer', async () => {
    const input = submitInput(1, {
      kind: 'DOMESTIC_TRAVEL',
      questionnaireVersion: '2021-10',
      channel: 'web',
      declaredBy: 'PROXY',
      proxy: { fullName: '  Nguyễn Thị Mẹ  ', relationship: 'PARENT' },
      responsibleUnit: { provinceCode: '01', districtCode: '001', wardCode: '00004' },
      identity: identityInput(1, { phone: '+84 912.345.678', email: 'Thu1@Example.VN' }),
      health: {
        symptomWindowDays: 14,
        symptoms: ['FEVER', 'COUGH'],
        symptomOnset: '2025-05-08',
        temperatureCelsius: 38.04,
        exposures: [
          { question: 'CONTACT_WITH_CONFIRMED_OR_SUSPECTED_CASE', answer: false },
          { question: 'VISITED_AFFECTED_AREA', answer: true },
        ],
        travelHistory: [
          { countryCode: 'vn', provinceCode: '79', place: 'Chợ Bến Thành', from: '2025-05-01', to: '2025-05-03' },
          { countryCode: 'TH', from: '2025-04-28', to: '2025-04-30' },
        ],
        vaccination: { doses: 3, lastDoseOn: '2022-01-15' },
        latestTest: { type: 'RAPID_ANTIGEN', result: 'NEGATIVE', testedOn: '2025-05-09' },
      },
    });
    const created = ok(await submit(input)).submitDeclaration;
    expect(created).toEqual({
      id: expect.any(String),
      version: 1,
      kind: 'DOMESTIC_TRAVEL',
      submittedAt: '2025-05-10T03:00:00.000Z',
    });

    const res = await official().query<{ declaration: Record<string, unknown> }>(
      `query($id: ID!) { declaration(id: $id) { ${DECLARATION_FIELDS} history { version } } }`,
      { id: created.id },
    );
    expect(ok(res).declaration).toEqual({
      id: created.id,
      version: 1,
      kind: 'DOMESTIC_TRAVEL',
      questionnaireVersion: '2021-10',
      channel: 'web',
      declaredBy: 'PROXY',
      submittedAt: '2025-05-10T03:00:00.000Z',
      proxy: { fullName: 'Nguyễn Thị Mẹ', relationship: 'PARENT' },
      province: { code: '01' },
      district: { code: '001' },
      ward: { code: '00004' },
      citizen: { ref: testCitizenRef(1) },
      identity: {
        fullName: 'Nguyễn Văn Thử 1',
        yearOfBirth: 1999,
        sex: 'MALE',
        nationality: 'VN',
        phone: '+84912345678',
        email: 'thu1@example.vn',
        declaredAt: '2025-05-10T03:00:00.000Z',
        document: { type: 'CCCD', number: testCitizenDocumentNumber(1), country: 'VN' },
        contactAddress: {
          province: { code: UNITS.haNoi.province },
          district: { code: UNITS.haNoi.district },
          ward: { code: UNITS.haNoi.ward },
          detail: '1 Phố Phúc Xá',
        },
      },
      symptomWindowDays: 14,
      symptoms: ['FEVER', 'COUGH'],
      symptomatic: true,
      symptomOnset: '2025-05-08',
      temperatureCelsius: 38,
      exposures: [
        { question: 'CONTACT_WITH_CONFIRMED_OR_SUSPECTED_CASE', answer: false },
        { question: 'VISITED_AFFECTED_AREA', answer: true },
      ],
      travelHistory: [
        { countryCode: 'VN', province: { code: '79' }, place: 'Chợ Bến Thành', from: '2025-05-01', to: '2025-05-03' },
        { countryCode: 'TH', province: null, place: null, from: '2025-04-28', to: '2025-04-30' },
      ],
      vaccination: { doses: 3, lastDoseOn: '2022-01-15' },
      latestTest: { type: 'RAPID_ANTIGEN', result: 'NEGATIVE', testedOn: '2025-05-09' },
      entry: null,
      recordedBy: 'dev-health-01',
      recordedAt: expect.any(String),
      amendedBy: null,
      amendedAt: null,
      amendmentReason: null,
      history: [{ version: 1 }],
    });
  });

  test('submittedAt defaults to now; the daily form window defaults to one day', async () => {
    const { submittedAt: _omitted, ...input } = submitInput(2, { kind: 'DAILY_MONITORING' });
    const created = ok(await submit(input)).submitDeclaration as { id: string; submittedAt?: string };
    const res = await official().query<{ declaration: { submittedAt: string; symptomWindowDays: number } }>(
      `query($id: ID!) { declaration(id: $id) { submittedAt symptomWindowDays } }`,
      { id: created.id },
    );
    const { declaration } = ok(res);
    expect(Date.parse(declaration.submittedAt)).toBeLessThanOrEqual(Date.now());
    expect(declaration.symptomWindowDays).toBe(1);
  });

  test('an ENTRY declaration with a quarantine facility opens a 14-day monitoring period from arrival', async () => {
    const input = submitInput(3, {
      kind: 'ENTRY',
      channel: 'onsite',
      entry: {
        arrivalDate: '2025-05-09',
        departureCountry: 'kr',
        portOfEntry: 'Nội Bài',
        quarantineFacility: { name: 'Khu cách ly Sóc Sơn', provinceCode: '01', districtCode: '016' },
      },
    });
    const created = ok(await submit(input)).submitDeclaration;
    const res = await official().query<{ citizen: Record<string, unknown> }>(
      `query($ref: ID!) { citizen(ref: $ref) {
          declarations { id entry { arrivalDate departureCountry portOfEntry quarantineFacility { name province { code } district { code } } } }
          monitoringPeriods { startsOn endsOn province { code } district { code } createdBy sourceDeclaration { id kind } }
      } }`,
      { ref: testCitizenRef(3) },
    );
    expect(ok(res).citizen).toEqual({
      declarations: [
        {
          id: created.id,
          entry: {
            arrivalDate: '2025-05-09',
            departureCountry: 'KR',
            portOfEntry: 'Nội Bài',
            quarantineFacility: { name: 'Khu cách ly Sóc Sơn', province: { code: '01' }, district: { code: '016' } },
          },
        },
      ],
      monitoringPeriods: [
        {
          startsOn: '2025-05-09',
          endsOn: '2025-05-22',
          province: { code: '01' },
          district: { code: '016' },
          createdBy: 'dev-health-01',
          sourceDeclaration: { id: created.id, kind: 'ENTRY' },
        },
      ],
    });
  });

  test('a consumer app may submit but not read; an analyst may not submit, and nothing is written', async () => {
    // The app of Hồ Chí Minh City (79) declares in its own province.
    const inHoChiMinh = {
      provinceCode: UNITS.hoChiMinh.province,
      districtCode: UNITS.hoChiMinh.district,
      wardCode: UNITS.hoChiMinh.ward,
    };
    const created = ok(
      await submit(submitInput(4, { responsibleUnit: inHoChiMinh }), 'dev-consumer-79'),
    ).submitDeclaration;
    expect(created.version).toBe(1);
    const read = await stack.as('dev-consumer-79').query(`query($id: ID!) { declaration(id: $id) { id } }`, {
      id: created.id,
    });
    expectError(read, 'FORBIDDEN');

    const before = await countRows(stack.db.declarations);
    expectError(await submit(submitInput(5), 'dev-analyst'), 'FORBIDDEN');
    expect(await countRows(stack.db.declarations)).toEqual(before);
  });
});

describe('citizens', () => {
  test('citizenByDocument finds the person by a normalised document; identity is the latest declared', async () => {
    // Synced late: the older declaration arrives second and must not replace the newer identity.
    ok(
      await submit(
        submitInput(10, { submittedAt: '2025-05-12T01:00:00Z', identity: identityInput(10, { phone: '0900000002' }) }),
      ),
    );
    ok(
      await submit(
        submitInput(10, { submittedAt: '2025-05-11T01:00:00Z', identity: identityInput(10, { phone: '0900000001' }) }),
      ),
    );
    const number = testCitizenDocumentNumber(10).replace(/(\d{4})(\d{4})/, '$1 $2 ');
    const res = await official().query<{ citizenByDocument: Record<string, unknown> }>(
      `query($n: String!) { citizenByDocument(type: CCCD, number: $n) {
          ref identity { phone declaredAt document { number } }
          declarations { submittedAt } daily: declarations(kinds: [DAILY_MONITORING]) { id }
          recent: declarations(since: "2025-05-11T12:00:00Z") { submittedAt }
      } }`,
      { n: number },
    );
    expect(ok(res).citizenByDocument).toEqual({
      ref: testCitizenRef(10),
      identity: {
        phone: '0900000002',
        declaredAt: '2025-05-12T01:00:00.000Z',
        document: { number: testCitizenDocumentNumber(10) },
      },
      declarations: [{ submittedAt: '2025-05-12T01:00:00.000Z' }, { submittedAt: '2025-05-11T01:00:00.000Z' }],
      daily: [],
      recent: [{ submittedAt: '2025-05-12T01:00:00.000Z' }],
    });
  });

  test('citizenByDocument is null for an unknown document and names the bad argument', async () => {
    const unknown = await official().query(
      `{ citizenByDocument(type: PASSPORT, number: "B1234567", country: "fr") { ref } }`,
    );
    expect(unknown.body).toEqual({ data: { citizenByDocument: null } });
    const bad = await official().query(`{ citizenByDocument(type: CMND, number: "12345") { ref } }`);
    expectError(bad, 'BAD_USER_INPUT', 'number');
    expect(JSON.stringify(bad.body)).not.toContain('12345');
    expectError(
      await official().query(`{ citizenByDocument(type: PASSPORT, number: "B1234567") { ref } }`),
      'BAD_USER_INPUT',
      'country',
    );
  });
});

describe('declarations(filter)', () => {
  const ward = { provinceCode: '79', districtCode: '769', wardCode: '26794' };
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    const rows = [
      { key: 'a', kind: 'UNIVERSAL', at: 10, symptoms: [] },
      { key: 'b', kind: 'DOMESTIC_TRAVEL', at: 20, symptoms: ['COUGH'] },
      { key: 'c', kind: 'UNIVERSAL', at: 30, symptoms: [] },
      { key: 'd', kind: 'UNIVERSAL', at: 40, symptoms: ['FEVER'] },
      { key: 'e', kind: 'ENTRY', at: 50, symptoms: [] },
    ] as const;
    for (const r of rows) {
      const d = await insertDeclaration(stack.db.declarations, {
        kind: r.kind,
        submittedAt: testInstant(r.at),
        symptoms: [...r.symptoms],
        provinceCode: ward.provinceCode,
        districtCode: ward.districtCode,
        wardCode: ward.wardCode,
      });
      ids[r.key] = d.id;
    }
    // Another ward of the same district, and another district.
    ids.f = (
      await insertDeclaration(stack.db.declarations, {
        submittedAt: testInstant(60),
        provinceCode: '79',
        districtCode: '769',
        wardCode: '26797',
      })
    ).id;
    ids.g = (
      await insertDeclaration(stack.db.declarations, {
        submittedAt: testInstant(70),
        provinceCode: '79',
        districtCode: '760',
        wardCode: '26740',
      })
    ).id;
  });

  const LIST = `query($filter: DeclarationFilter!, $first: Int, $after: String) {
    declarations(filter: $filter, first: $first, after: $after) {
      edges { cursor node { id } } pageInfo { hasNextPage endCursor }
    }
  }`;
  const list = async (filter: Record<string, unknown>, first?: number, after?: string | null) =>
    ok(await reader79().query<{ declarations: Connection<{ id: string }> }>(LIST, { filter, first, after }))
      .declarations;
  const idsOf = (c: Connection<{ id: string }>) => c.edges.map((e) => e.node.id);

  test('pages through a ward newest first without gaps or repeats', async () => {
    const nodes = await pageThrough(3, (after) => list({ unitCode: ward.wardCode }, 2, after));
    expect(nodes.map((n) => n.id)).toEqual([ids.e, ids.d, ids.c, ids.b, ids.a]);
  });

  test('filters by district, time range, kind and symptomatic', async () => {
    expect(idsOf(await list({ unitCode: '769' }))).toEqual([ids.f, ids.e, ids.d, ids.c, ids.b, ids.a]);
    const window = { from: testInstant(20).toISOString(), to: testInstant(50).toISOString() };
    expect(idsOf(await list({ unitCode: '769', ...window }))).toEqual([ids.d, ids.c, ids.b]);
    expect(idsOf(await list({ unitCode: '769', kind: 'UNIVERSAL' }))).toEqual([ids.f, ids.d, ids.c, ids.a]);
    expect(idsOf(await list({ unitCode: '769', symptomatic: true }))).toEqual([ids.d, ids.b]);
    expect(idsOf(await list({ unitCode: '79', symptomatic: false, to: testInstant(65).toISOString() }))).toEqual([
      ids.f,
      ids.e,
      ids.c,
      ids.a,
    ]);
  });

  test('refuses a page above the maximum, a foreign cursor and a malformed unit code', async () => {
    expectError(await reader79().query(LIST, { filter: { unitCode: '79' }, first: 201 }), 'BAD_USER_INPUT', 'first');
    expectError(
      await reader79().query(LIST, { filter: { unitCode: '79' }, after: 'bm9wZQ' }),
      'BAD_USER_INPUT',
      'after',
    );
    expectError(await reader79().query(LIST, { filter: { unitCode: '7' } }), 'BAD_USER_INPUT', 'filter.unitCode');
  });
});
