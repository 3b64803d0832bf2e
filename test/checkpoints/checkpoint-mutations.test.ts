import { demoUserId } from '../../subgraphs/kit/demo';
import { insertCheckpoint, testOperatorId } from '../factories/checkpoints';
import { testCitizenRef } from '../factories/citizens';
import { UNITS } from '../factories/sequence';
import { startStack, type Stack } from '../stack';
import { importOfficialUnitLists } from '../unit-lists';
import { ago, count, expectError, HOUR } from './helpers';

/*
 * Registering, changing, closing checkpoints and assigning operators, through the gateway: input
 * rules (code, field, nothing written), localities against the list in force, the status machine
 * (ACTIVE ⇄ SUSPENDED → CLOSED, final) and its effect on passages.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  // The subgraph's own copy of the unit lists: districts and wards until the 2025-07-01 reform.
  await importOfficialUnitLists(stack.db.checkpoints);
});
afterAll(async () => {
  await stack.stop();
});

const official = () => stack.as('dev-health-01');
const checkpoints = () => count(stack.db.checkpoints, 'checkpoint');

const FIELDS = `id name kind latitude longitude scanMode activeFrom activeTo status
  province { code } district { code } ward { code } operator { code }
  createdBy updatedBy updatedAt closedBy closedAt closeReason`;
const REGISTER = `mutation($input: RegisterCheckpointInput!) { registerCheckpoint(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateCheckpointInput!) { updateCheckpoint(id: $id, input: $input) { ${FIELDS} } }`;
const CLOSE = `mutation($id: ID!, $reason: String!) { closeCheckpoint(id: $id, reason: $reason) { ${FIELDS} } }`;
const ASSIGN = `mutation($cp: ID!, $user: ID!, $subject: String) {
  assignOperator(checkpointId: $cp, userId: $user, operatorSubject: $subject) { id user { id } assignedBy active removedBy checkpoint { id } }
}`;
const REMOVE = `mutation($cp: ID!, $user: ID!) {
  removeOperator(checkpointId: $cp, userId: $user) { id user { id } active removedBy removedAt }
}`;
const RECORD = `mutation($input: PassageInput!) { recordPassage(input: $input) { id } }`;

type Checkpoint = Record<string, unknown> & { id: string; status: string };

/** A valid registration in Ba Đình, Hà Nội, in force from 2025-03-15 (districts still existed). */
const registration = (overrides: Record<string, unknown> = {}) => ({
  name: 'Chốt kiểm soát Phúc Xá',
  kind: 'URBAN_CHECKPOINT',
  provinceCode: UNITS.haNoi.province,
  districtCode: UNITS.haNoi.district,
  wardCode: UNITS.haNoi.ward,
  latitude: 21.0453,
  longitude: 105.8468,
  operatorCode: 'HN-PC',
  scanMode: 'OPERATOR_SCANS_PERSON',
  activeFrom: '2025-03-15T00:00:00.000Z',
  ...overrides,
});

async function register(overrides: Record<string, unknown> = {}): Promise<Checkpoint> {
  const res = await official().query<{ registerCheckpoint: Checkpoint }>(REGISTER, { input: registration(overrides) });
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.registerCheckpoint;
}

describe('registerCheckpoint', () => {
  test('registers an ACTIVE checkpoint, its units checked against the list in force, recording who', async () => {
    const c = await register();
    expect(c).toEqual({
      id: expect.any(String),
      name: 'Chốt kiểm soát Phúc Xá',
      kind: 'URBAN_CHECKPOINT',
      latitude: 21.0453,
      longitude: 105.8468,
      scanMode: 'OPERATOR_SCANS_PERSON',
      activeFrom: '2025-03-15T00:00:00.000Z',
      activeTo: null,
      status: 'ACTIVE',
      province: { code: '01' },
      district: { code: '001' },
      ward: { code: '00001' },
      operator: { code: 'HN-PC' },
      createdBy: 'dev-health-01',
      updatedBy: null,
      updatedAt: null,
      closedBy: null,
      closedAt: null,
      closeReason: null,
    });
  });

  const cases: [string, Record<string, unknown>, string][] = [
    ['a blank name', { name: '   ' }, 'name'],
    ['a name over 200 characters', { name: 'x'.repeat(201) }, 'name'],
    ['a province code of one digit', { provinceCode: '1' }, 'provinceCode'],
    ['a province that does not exist', { provinceCode: '99', districtCode: null, wardCode: null }, 'provinceCode'],
    ['a district of another province', { districtCode: UNITS.hoChiMinh.district, wardCode: null }, 'districtCode'],
    ['a ward of another district', { wardCode: UNITS.hoChiMinh.ward }, 'wardCode'],
    ['a latitude without longitude', { longitude: null }, 'longitude'],
    ['a latitude out of range', { latitude: 91 }, 'latitude'],
    ['an organisation code in lower case', { operatorCode: 'hn-pc' }, 'operatorCode'],
    ['activeTo before activeFrom', { activeTo: '2025-03-01T00:00:00.000Z' }, 'activeTo'],
  ];
  test.each(cases)('refuses %s (BAD_USER_INPUT naming the field; nothing written)', async (_, overrides, field) => {
    const before = await checkpoints();
    expectError(await official().query(REGISTER, { input: registration(overrides) }), 'BAD_USER_INPUT', field);
    expect(await checkpoints()).toBe(before);
  });

  test('needs checkpoints:write', async () => {
    const before = await checkpoints();
    const res = await stack.as('dev-checkpoint-01').query(REGISTER, { input: registration() });
    expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(await checkpoints()).toBe(before);
  });
});

describe('updateCheckpoint', () => {
  test('changes the given fields only; null clears an optional one; records who and when', async () => {
    const c = await register();
    const res = await official().query<{ updateCheckpoint: Checkpoint }>(UPDATE, {
      id: c.id,
      input: {
        name: 'Chốt Phúc Xá (mới)',
        scanMode: 'CAMERA',
        operatorCode: null,
        activeTo: '2026-01-01T00:00:00.000Z',
      },
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.updateCheckpoint).toEqual({
      ...c,
      name: 'Chốt Phúc Xá (mới)',
      scanMode: 'CAMERA',
      operator: null,
      activeTo: '2026-01-01T00:00:00.000Z',
      updatedBy: 'dev-health-01',
      updatedAt: expect.any(String),
    });
  });

  test('moving it checks the new locality as a whole', async () => {
    const c = await register();
    expectError(
      await official().query(UPDATE, { id: c.id, input: { provinceCode: UNITS.hoChiMinh.province } }),
      'BAD_USER_INPUT',
      'districtCode',
    );
    // Within the official's province 01: Hoàn Kiếm, Hàng Mã.
    const moved = await official().query<{ updateCheckpoint: Checkpoint }>(UPDATE, {
      id: c.id,
      input: { provinceCode: '01', districtCode: '002', wardCode: '00043' },
    });
    expect(moved.body.data!.updateCheckpoint).toMatchObject({ province: { code: '01' }, ward: { code: '00043' } });
    // A valid locality outside the official's jurisdiction is refused, and nothing changes.
    expectError(
      await official().query(UPDATE, {
        id: c.id,
        input: { provinceCode: '79', districtCode: UNITS.hoChiMinh.district, wardCode: UNITS.hoChiMinh.ward },
      }),
      'FORBIDDEN',
      'input.provinceCode',
    );
    const after = await official().query<{ checkpoint: Checkpoint }>(
      `query($id: ID!) { checkpoint(id: $id) { province { code } ward { code } } }`,
      { id: c.id },
    );
    expect(after.body.data!.checkpoint).toEqual({ province: { code: '01' }, ward: { code: '00043' } });
  });

  test('refuses bad input naming the field, and changes nothing', async () => {
    const c = await register();
    const as = official();
    expectError(await as.query(UPDATE, { id: c.id, input: {} }), 'BAD_USER_INPUT', 'input');
    expectError(await as.query(UPDATE, { id: c.id, input: { name: null } }), 'BAD_USER_INPUT', 'name');
    expectError(await as.query(UPDATE, { id: c.id, input: { kind: null } }), 'BAD_USER_INPUT', 'kind');
    expectError(await as.query(UPDATE, { id: c.id, input: { latitude: null } }), 'BAD_USER_INPUT', 'latitude');
    expectError(
      await as.query(UPDATE, {
        id: c.id,
        input: { activeFrom: '2027-01-01T00:00:00.000Z', activeTo: '2026-01-01T00:00:00.000Z' },
      }),
      'BAD_USER_INPUT',
      'activeTo',
    );
    expectError(await as.query(UPDATE, { id: c.id, input: { status: 'CLOSED' } }), 'BAD_USER_INPUT', 'status');
    const after = await as.query<{ checkpoint: Checkpoint }>(`query($id: ID!) { checkpoint(id: $id) { ${FIELDS} } }`, {
      id: c.id,
    });
    expect(after.body.data!.checkpoint).toEqual(c);
  });

  test('an unknown checkpoint is NOT_FOUND', async () => {
    expectError(
      await official().query(UPDATE, { id: '00000000-0000-4000-8000-000000000000', input: { name: 'x' } }),
      'NOT_FOUND',
    );
    expectError(await official().query(UPDATE, { id: 'nope', input: { name: 'x' } }), 'NOT_FOUND');
  });
});

describe('status transitions', () => {
  const setStatus = (id: string, status: string) =>
    official().query<{ updateCheckpoint: Checkpoint }>(UPDATE, { id, input: { status } });
  const scan = (checkpointId: string, n: number) =>
    stack.as('dev-checkpoint-01').query<{ recordPassage: { id: string } }>(RECORD, {
      input: {
        checkpointId,
        citizenRef: testCitizenRef(n),
        direction: 'IN',
        scannedAt: ago(HOUR).toISOString(),
        credentialType: 'PERSONAL_QR',
        decision: 'ALLOWED',
      },
    });

  test('ACTIVE → SUSPENDED refuses passages; → ACTIVE accepts them again; → CLOSED is final', async () => {
    const c = await register();
    // The officer records only where assigned: the official assigns them with their subject.
    const assigned = await official().query(ASSIGN, {
      cp: c.id,
      user: demoUserId('dev-checkpoint-01'),
      subject: 'dev-checkpoint-01',
    });
    expect(assigned.body.errors).toBeUndefined();
    expect((await setStatus(c.id, 'SUSPENDED')).body.data!.updateCheckpoint.status).toBe('SUSPENDED');
    expectError(await scan(c.id, 600), 'CONFLICT', 'checkpointId', /suspended/);
    expect((await setStatus(c.id, 'ACTIVE')).body.data!.updateCheckpoint.status).toBe('ACTIVE');
    expect((await scan(c.id, 601)).body.errors).toBeUndefined();

    const closed = await official().query<{ closeCheckpoint: Checkpoint }>(CLOSE, {
      id: c.id,
      reason: 'Hết giãn cách',
    });
    expect(closed.body.data!.closeCheckpoint).toMatchObject({
      status: 'CLOSED',
      closedBy: 'dev-health-01',
      closedAt: expect.any(String),
      closeReason: 'Hết giãn cách',
    });
    expectError(await scan(c.id, 602), 'CONFLICT', 'checkpointId', /closed/);
    expectError(await setStatus(c.id, 'ACTIVE'), 'CONFLICT', 'id');
    expectError(await official().query(UPDATE, { id: c.id, input: { name: 'x' } }), 'CONFLICT', 'id');
    expectError(await official().query(CLOSE, { id: c.id, reason: 'again' }), 'CONFLICT', 'id', /already closed/);
  });

  test('SUSPENDED → CLOSED', async () => {
    const c = await register();
    await setStatus(c.id, 'SUSPENDED');
    const closed = await official().query<{ closeCheckpoint: Checkpoint }>(CLOSE, { id: c.id, reason: 'Dỡ bỏ chốt' });
    expect(closed.body.data!.closeCheckpoint.status).toBe('CLOSED');
  });

  test('closing needs a reason and an existing checkpoint', async () => {
    const c = await register();
    expectError(await official().query(CLOSE, { id: c.id, reason: ' ' }), 'BAD_USER_INPUT', 'reason');
    expectError(
      await official().query(CLOSE, { id: '00000000-0000-4000-8000-000000000000', reason: 'x' }),
      'NOT_FOUND',
    );
    const after = await official().query<{ checkpoint: Checkpoint }>(`{ checkpoint(id: "${c.id}") { status } }`);
    expect(after.body.data!.checkpoint.status).toBe('ACTIVE');
  });
});

describe('operators', () => {
  const assignments = (checkpointId: string) =>
    count(stack.db.checkpoints, 'checkpoint_operator', 'checkpoint_id = $1', [checkpointId]);

  test('assign, remove and assign again keep the history; Checkpoint.operators lists the open ones', async () => {
    const c = await register();
    const user = testOperatorId(50);
    const assigned = await official().query<{ assignOperator: Record<string, unknown> }>(ASSIGN, { cp: c.id, user });
    expect(assigned.body.errors).toBeUndefined();
    expect(assigned.body.data!.assignOperator).toMatchObject({
      user: { id: user },
      assignedBy: 'dev-health-01',
      active: true,
      removedBy: null,
      checkpoint: { id: c.id },
    });
    expectError(await official().query(ASSIGN, { cp: c.id, user }), 'CONFLICT', 'userId');

    const removed = await official().query<{ removeOperator: Record<string, unknown> }>(REMOVE, { cp: c.id, user });
    expect(removed.body.data!.removeOperator).toMatchObject({
      user: { id: user },
      active: false,
      removedBy: 'dev-health-01',
    });
    expectError(await official().query(REMOVE, { cp: c.id, user }), 'NOT_FOUND');

    await official().query(ASSIGN, { cp: c.id, user });
    const res = await official().query<{ checkpoint: unknown }>(
      `query($id: ID!) { checkpoint(id: $id) { operators { id } operatorAssignments(includeRemoved: true) { active } } }`,
      { id: c.id },
    );
    expect(res.body.data!.checkpoint).toEqual({
      operators: [{ id: user }],
      operatorAssignments: [{ active: false }, { active: true }],
    });
  });

  test('concurrent assignments of one user make one open assignment', async () => {
    const c = await register();
    const user = testOperatorId(51);
    const results = await Promise.all(Array.from({ length: 4 }, () => official().query(ASSIGN, { cp: c.id, user })));
    expect(results.filter((r) => r.body.errors === undefined)).toHaveLength(1);
    for (const r of results.filter((x) => x.body.errors)) expectError(r, 'CONFLICT', 'userId');
    expect(await assignments(c.id)).toBe(1);
  });

  test('refuses a closed or unknown checkpoint and a user id that is not a UUID', async () => {
    const closed = await insertCheckpoint(stack.db.checkpoints, { status: 'CLOSED' });
    expectError(
      await official().query(ASSIGN, { cp: closed.id, user: testOperatorId(52) }),
      'CONFLICT',
      'checkpointId',
    );
    expectError(
      await official().query(ASSIGN, { cp: '00000000-0000-4000-8000-000000000000', user: testOperatorId(52) }),
      'NOT_FOUND',
    );
    expectError(
      await official().query(ASSIGN, { cp: closed.id, user: 'dev-checkpoint-01' }),
      'BAD_USER_INPUT',
      'userId',
    );
    expect(await assignments(closed.id)).toBe(0);
  });
});
