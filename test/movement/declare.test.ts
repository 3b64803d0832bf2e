import { testCitizenDocumentNumber, testCitizenRef } from '../factories/citizens';
import { UNITS } from '../factories/sequence';
import { startStack, type Stack } from '../stack';
import { GSO_2025_03_01 } from '../unit-lists';
import { importUnitList } from '../../subgraphs/kit/admin-units';
import {
  APP,
  cccd,
  daysFromNow,
  DECLARE,
  declarationInput,
  expectError,
  OFFICIAL,
  tableCounts,
  type Declared,
} from './helpers';

/*
 * declareMovement through the gateway: what is stored (pseudonyms, never document numbers), every
 * validation rule (BAD_USER_INPUT naming the field, nothing written) and idempotency keys. The
 * movement database gets the statistics office's 2025-03-01 list, so districts and wards are
 * checked against a list that has them.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  await importUnitList(stack.db.movement, GSO_2025_03_01);
});
afterAll(async () => {
  await stack.stop();
});

const declare = (input: Record<string, unknown>, key?: string) =>
  stack.as(APP).query<Declared>(DECLARE, { input, key: key ?? null });

describe('declareMovement', () => {
  test('stores the journey as DECLARED, by pseudonym, with normalised values and its first history entry', async () => {
    const res = await declare(
      declarationInput(1, {
        companions: [cccd(2), { type: 'PASSPORT', number: 'b 1234567', country: 'vn' }],
        transitUnitCodes: ['48', '490', '20194'],
        validUntil: null,
      }),
    );
    expect(res.body.errors).toBeUndefined();
    const { id, status, validUntil } = res.body.data!.declareMovement;
    expect(status).toBe('DECLARED');
    // Without validUntil: 24 hours after arrival.
    expect(validUntil).toBe(new Date(daysFromNow(3, 10).getTime() + 24 * 3_600_000).toISOString());

    const read = await stack.as(OFFICIAL).query<{ movement: Record<string, unknown> }>(
      `query($id: ID!) { movement(id: $id) {
        citizen { ref } companions { ref } mode conveyanceId seat departAt arriveAt purpose
        originProvince { code } originDistrict { code } originWard { code } originDetail
        destinationProvince { code } destinationDistrict { code } destinationWard { code } destinationDetail
        transitUnits { code } decidedBy statusHistory { from to by reason }
      } }`,
      { id },
    );
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data!.movement).toEqual({
      citizen: { ref: testCitizenRef(1) },
      companions: [{ ref: testCitizenRef(2) }, { ref: expect.stringMatching(/^t1\./) as unknown }],
      mode: 'PLANE',
      conveyanceId: 'VN213',
      seat: '12A',
      departAt: daysFromNow(3, 8).toISOString(),
      arriveAt: daysFromNow(3, 10).toISOString(),
      purpose: 'Family visit',
      originProvince: { code: UNITS.haNoi.province },
      originDistrict: { code: UNITS.haNoi.district },
      originWard: { code: UNITS.haNoi.ward },
      originDetail: '1 Phố Phúc Xá',
      destinationProvince: { code: UNITS.hoChiMinh.province },
      destinationDistrict: { code: UNITS.hoChiMinh.district },
      destinationWard: { code: UNITS.hoChiMinh.ward },
      destinationDetail: '2 Lê Lợi',
      transitUnits: [{ code: '48' }, { code: '490' }, { code: '20194' }],
      decidedBy: null,
      statusHistory: [{ from: null, to: 'DECLARED', by: APP, reason: null }],
    });
  });

  test('never stores a document number, only pseudonyms', async () => {
    const key = 'no-raw-numbers-1';
    const res = await declare(declarationInput(3, { companions: [cccd(4)] }), key);
    expect(res.body.errors).toBeUndefined();
    const rows = (await stack.db.movement.query(
      `SELECT row_to_json(m)::text AS m FROM movement_declaration m WHERE id = $1
       UNION ALL SELECT row_to_json(k)::text FROM idempotency_key k WHERE key = $2`,
      [res.body.data!.declareMovement.id, key],
    )) as { m: string }[];
    expect(rows).toHaveLength(2);
    for (const { m } of rows) {
      expect(m).not.toContain(testCitizenDocumentNumber(3));
      expect(m).not.toContain(testCitizenDocumentNumber(4));
    }
  });

  test('accepts a coach plate in any spelling and stores its canonical form', async () => {
    const res = await declare(declarationInput(5, { mode: 'COACH', conveyanceId: '29b 12345', seat: null }));
    expect(res.body.errors).toBeUndefined();
    const [row] = (await stack.db.movement.query(`SELECT conveyance_id FROM movement_declaration WHERE id = $1`, [
      res.body.data!.declareMovement.id,
    ])) as { conveyance_id: string }[];
    expect(row!.conveyance_id).toBe('29B-123.45');
  });

  test('is FORBIDDEN without movement:write, and writes nothing', async () => {
    const before = await tableCounts(stack.db.movement);
    const res = await stack.as(OFFICIAL).query(DECLARE, { input: declarationInput(6) });
    expectError(res, 'FORBIDDEN');
    expect(await tableCounts(stack.db.movement)).toEqual(before);
  });
});

describe('validation: BAD_USER_INPUT naming the field, nothing written', () => {
  const base = declarationInput(10);
  const origin = base.origin as Record<string, unknown>;
  const destination = base.destination as Record<string, unknown>;
  const companions = (n: number) => Array.from({ length: n }, (_, i) => cccd(500 + i));

  const cases: [string, Record<string, unknown>, string][] = [
    ['a citizen ID of the wrong length', { citizen: { type: 'CCCD', number: '00109901234' } }, 'citizen.number'],
    ['a citizen ID with no province of birth', { citizen: { type: 'CCCD', number: '099099000010' } }, 'citizen.number'],
    ['an old ID of the wrong length', { citizen: { type: 'CMND', number: '1234' } }, 'citizen.number'],
    ['a passport without its country', { citizen: { type: 'PASSPORT', number: 'B1234567' } }, 'citizen.country'],
    [
      'a malformed companion document',
      { companions: [cccd(11), { type: 'CCCD', number: '12' }] },
      'companions[1].number',
    ],
    ['more than 20 companions', { companions: companions(21) }, 'companions'],
    ['the declarant as their own companion', { companions: [cccd(10)] }, 'companions[0]'],
    [
      'the same companion twice',
      {
        companions: [
          cccd(11),
          {
            type: 'CCCD',
            number: `${testCitizenDocumentNumber(11).slice(0, 6)} ${testCitizenDocumentNumber(11).slice(6)}`,
          },
        ],
      },
      'companions[1]',
    ],
    ['a plane without a flight number', { conveyanceId: null }, 'conveyanceId'],
    ['a flight number of 5 digits', { conveyanceId: 'VN12345' }, 'conveyanceId'],
    ['a car without a plate-shaped id', { mode: 'CAR', conveyanceId: 'MY CAR' }, 'conveyanceId'],
    ['a train number of the wrong shape', { mode: 'TRAIN', conveyanceId: '1SE' }, 'conveyanceId'],
    ['a ship id longer than 30 characters', { mode: 'SHIP', conveyanceId: 'S'.repeat(31) }, 'conveyanceId'],
    ['a seat of more than 8 characters', { seat: '123456789' }, 'seat'],
    ['a seat with punctuation', { seat: '12/A' }, 'seat'],
    ['a departure more than 30 days ago', { departAt: daysFromNow(-31, 8), arriveAt: null }, 'departAt'],
    ['a departure more than 90 days ahead', { departAt: daysFromNow(91, 8), arriveAt: null }, 'departAt'],
    ['an arrival before the departure', { arriveAt: daysFromNow(3, 7) }, 'arriveAt'],
    ['an arrival more than 7 days after departure', { arriveAt: daysFromNow(11, 8) }, 'arriveAt'],
    ['a validity ending before the arrival', { validUntil: daysFromNow(3, 9) }, 'validUntil'],
    ['a validity ending before the departure', { arriveAt: null, validUntil: daysFromNow(3, 7) }, 'validUntil'],
    ['a validity of more than 30 days', { validUntil: daysFromNow(34, 8) }, 'validUntil'],
    [
      'an unknown origin province',
      { origin: { ...origin, provinceCode: '99', districtCode: null, wardCode: null } },
      'origin.provinceCode',
    ],
    ['a province code that is not 2 digits', { origin: { ...origin, provinceCode: 'HN' } }, 'origin.provinceCode'],
    [
      'a district of another province',
      { destination: { ...destination, districtCode: UNITS.haNoi.district, wardCode: null } },
      'destination.districtCode',
    ],
    [
      'an unknown district',
      { destination: { ...destination, districtCode: '999', wardCode: null } },
      'destination.districtCode',
    ],
    [
      'a ward of another district',
      { destination: { ...destination, wardCode: UNITS.haNoi.ward } },
      'destination.wardCode',
    ],
    ['a ward code that is not 5 digits', { origin: { ...origin, wardCode: '1' } }, 'origin.wardCode'],
    ['an address line longer than 300 characters', { origin: { ...origin, detail: 'x'.repeat(301) } }, 'origin.detail'],
    ['a transit code of no unit level', { transitUnitCodes: ['48', '4801'] }, 'transitUnitCodes[1]'],
    ['an unknown transit unit', { transitUnitCodes: ['48', '99999'] }, 'transitUnitCodes[1]'],
    ['an unknown transit district', { transitUnitCodes: ['999'] }, 'transitUnitCodes[0]'],
    ['the same transit unit twice', { transitUnitCodes: ['48', '48'] }, 'transitUnitCodes[1]'],
    [
      'more than 10 transit units',
      { transitUnitCodes: ['02', '04', '06', '08', '10', '11', '12', '14', '15', '17', '19'] },
      'transitUnitCodes',
    ],
    ['a purpose longer than 500 characters', { purpose: 'x'.repeat(501) }, 'purpose'],
  ];

  test.each(cases)('refuses %s', async (_, overrides, field) => {
    const before = await tableCounts(stack.db.movement);
    const res = await declare(declarationInput(10, overrides));
    const message = expectError(res, 'BAD_USER_INPUT', field);
    expect(res.body.data ?? null).toBeNull();
    // Messages name the rule, never the number.
    expect(message).not.toMatch(/\d{9,}/);
    expect(await tableCounts(stack.db.movement)).toEqual(before);
  });

  test('refuses a malformed idempotency key', async () => {
    const before = await tableCounts(stack.db.movement);
    const res = await declare(declarationInput(10), 'short');
    expectError(res, 'BAD_USER_INPUT', 'idempotencyKey');
    expect(await tableCounts(stack.db.movement)).toEqual(before);
  });

  // Enum values are checked by GraphQL before any resolver runs: the error is BAD_USER_INPUT and
  // names the input path in its message (GraphQL's own error carries no `field` extension).
  test.each([
    ['a travel mode', { mode: 'HOVERCRAFT' }, 'mode'],
    ['a document type', { citizen: { type: 'DRIVING_LICENCE', number: '123456789' } }, 'citizen.type'],
  ])('refuses %s out of range', async (_, overrides, path) => {
    const before = await tableCounts(stack.db.movement);
    const res = await declare(declarationInput(10, overrides));
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors![0]!.message).toContain(`"input.${path}"`);
    expect(await tableCounts(stack.db.movement)).toEqual(before);
  });
});

describe('idempotency', () => {
  const countOf = async (ref: string): Promise<number> =>
    (
      (await stack.db.movement.query(`SELECT count(*)::int AS n FROM movement_declaration WHERE citizen_ref = $1`, [
        ref,
      ])) as { n: number }[]
    )[0]!.n;

  test('a sequential replay returns the first declaration and creates nothing', async () => {
    const input = declarationInput(20);
    const first = await declare(input, 'replay-key-0001');
    const again = await declare(input, 'replay-key-0001');
    expect(first.body.errors).toBeUndefined();
    expect(again.body.errors).toBeUndefined();
    expect(again.body.data!.declareMovement).toEqual(first.body.data!.declareMovement);
    expect(await countOf(testCitizenRef(20))).toBe(1);
  });

  test('the same key with a different input is a CONFLICT and writes nothing', async () => {
    const first = await declare(declarationInput(21), 'conflict-key-0001');
    expect(first.body.errors).toBeUndefined();
    const before = await tableCounts(stack.db.movement);
    const res = await declare(declarationInput(21, { seat: '14C' }), 'conflict-key-0001');
    expectError(res, 'CONFLICT', 'idempotencyKey');
    expect(await tableCounts(stack.db.movement)).toEqual(before);
    expect(await countOf(testCitizenRef(21))).toBe(1);
  });

  test('the same document spelled differently is the same input', async () => {
    const first = await declare(declarationInput(22), 'spelling-key-0001');
    const spaced = { type: 'CCCD', number: testCitizenDocumentNumber(22).replace(/(\d{3})/g, '$1 ') };
    const again = await declare(declarationInput(22, { citizen: spaced }), 'spelling-key-0001');
    expect(again.body.errors).toBeUndefined();
    expect(again.body.data!.declareMovement.id).toBe(first.body.data!.declareMovement.id);
  });

  test('five concurrent calls with one key create one declaration', async () => {
    const input = declarationInput(23);
    const results = await Promise.all(Array.from({ length: 5 }, () => declare(input, 'concurrent-key-0001')));
    for (const r of results) expect(r.body.errors).toBeUndefined();
    expect(new Set(results.map((r) => r.body.data!.declareMovement.id)).size).toBe(1);
    expect(await countOf(testCitizenRef(23))).toBe(1);
  });

  test('without a key, each call declares anew', async () => {
    const input = declarationInput(24);
    await declare(input);
    await declare(input);
    expect(await countOf(testCitizenRef(24))).toBe(2);
  });
});
