import { pendingSchemaChanges } from '../../subgraphs/kit/db';
import { MAX_PAGE_SIZE } from '../../subgraphs/kit/pagination';
import { insertCheckpoint, insertPassage } from '../factories/checkpoints';
import { testCitizenRef } from '../factories/citizens';
import { testInstant, UNITS } from '../factories/sequence';
import { countStatements } from '../statement-counter';
import { expectForbidden, expectUnauthenticated, pageThrough } from '../subgraph-assertions';
import { useSubgraph } from '../subgraph-client';

const READER = { roles: ['health_official'] }; // checkpoints:read, and org:read for the unit and organisation stubs
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

const sg = useSubgraph('checkpoints');

interface Page {
  checkpoints: {
    edges: { cursor: string; node: { id: string; name: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}
const LIST = `query($unitCode: ID, $kind: CheckpointKind, $status: CheckpointStatus, $first: Int, $after: String) {
  checkpoints(unitCode: $unitCode, kind: $kind, status: $status, first: $first, after: $after) {
    edges { cursor node { id name } } pageInfo { hasNextPage endCursor }
  }
}`;

test('checkpoint(id) returns the stored checkpoint with its locality and operator', async () => {
  const c = await insertCheckpoint(sg.dataSource, {
    name: 'Sân bay Tân Sơn Nhất',
    kind: 'AIRPORT',
    provinceCode: UNITS.hoChiMinh.province,
    districtCode: null,
    wardCode: null,
    latitude: 10.8188,
    longitude: 106.6519,
    operatorCode: 'CDC-HCM',
    scanMode: 'PERSON_SCANS_CODE',
    activeTo: testInstant(24 * 30),
  });
  const res = await sg.query(
    `query($id: ID!) { checkpoint(id: $id) {
      id name kind latitude longitude scanMode activeFrom activeTo status
      province { code } district { code } ward { code } operator { code }
    } }`,
    { principal: READER, variables: { id: c.id } },
  );
  expect(res.status).toBe(200);
  expect(res.body).toEqual({
    data: {
      checkpoint: {
        id: c.id,
        name: 'Sân bay Tân Sơn Nhất',
        kind: 'AIRPORT',
        latitude: 10.8188,
        longitude: 106.6519,
        scanMode: 'PERSON_SCANS_CODE',
        activeFrom: c.activeFrom.toISOString(),
        activeTo: testInstant(24 * 30).toISOString(),
        status: 'ACTIVE',
        province: { code: UNITS.hoChiMinh.province },
        district: null,
        ward: null,
        operator: { code: 'CDC-HCM' },
      },
    },
  });
});

test('checkpoint(id) is null for an unknown id', async () => {
  const res = await sg.query(`{ checkpoint(id: "${UNKNOWN_ID}") { id } }`, { principal: READER });
  expect(res.body).toEqual({ data: { checkpoint: null } });
});

test('checkpoints pages by name then id with resumable cursors, filtered by province, kind and status', async () => {
  const province = '31'; // Hải Phòng: only this test's rows
  const inserted = [
    await insertCheckpoint(sg.dataSource, { provinceCode: province, name: 'Cảng Lạch Huyện', kind: 'SEAPORT' }),
    await insertCheckpoint(sg.dataSource, { provinceCode: province, name: 'Chốt Quán Toan' }),
    await insertCheckpoint(sg.dataSource, { provinceCode: province, name: 'Chốt Quán Toan' }), // same name: id breaks the tie
    await insertCheckpoint(sg.dataSource, {
      provinceCode: province,
      name: 'Bến xe Niệm Nghĩa',
      kind: 'PUBLIC_TRANSPORT',
    }),
    await insertCheckpoint(sg.dataSource, {
      provinceCode: province,
      name: 'Chợ Sắt',
      kind: 'MARKET',
      status: 'CLOSED',
    }),
  ];
  const all = await sg.query<Page>(LIST, {
    principal: READER,
    variables: { unitCode: province, first: MAX_PAGE_SIZE },
  });
  const order = all.body.data!.checkpoints.edges.map((e) => e.node);
  expect(order).toHaveLength(inserted.length);
  // Sorted by the database's collation of name, then id.
  for (let i = 1; i < order.length; i++) {
    const [prev, cur] = [order[i - 1]!, order[i]!];
    if (prev.name === cur.name) expect(prev.id < cur.id).toBe(true);
  }

  const seen = await pageThrough(
    3,
    async (after) =>
      (await sg.query<Page>(LIST, { principal: READER, variables: { unitCode: province, first: 2, after } })).body.data!
        .checkpoints,
  );
  expect(seen.map((n) => n.id)).toEqual(order.map((n) => n.id));

  const seaports = await sg.query<Page>(LIST, {
    principal: READER,
    variables: { unitCode: province, kind: 'SEAPORT' },
  });
  expect(seaports.body.data!.checkpoints.edges.map((e) => e.node.id)).toEqual([inserted[0]!.id]);
  const closed = await sg.query<Page>(LIST, {
    principal: READER,
    variables: { unitCode: province, status: 'CLOSED' },
  });
  expect(closed.body.data!.checkpoints.edges.map((e) => e.node.id)).toEqual([inserted[4]!.id]);
});

test("checkpoints(unitCode) filters by province, district or ward by the code's length", async () => {
  const at = { provinceCode: '92', districtCode: '916', wardCode: '31117' };
  const ward = await insertCheckpoint(sg.dataSource, { ...at, name: 'Bến Ninh Kiều' });
  const district = await insertCheckpoint(sg.dataSource, { ...at, wardCode: '31120', name: 'Chợ Tân An' });
  const province = await insertCheckpoint(sg.dataSource, {
    ...at,
    districtCode: '918',
    wardCode: null,
    name: 'Cảng Cái Cui',
  });
  const ids = async (unitCode: string) =>
    (await sg.query<Page>(LIST, { principal: READER, variables: { unitCode } })).body.data!.checkpoints.edges.map(
      (e) => e.node.id,
    );
  expect(await ids('31117')).toEqual([ward.id]);
  expect((await ids('916')).sort()).toEqual([ward.id, district.id].sort());
  expect((await ids('92')).sort()).toEqual([ward.id, district.id, province.id].sort());
  const bad = await sg.query(LIST, { principal: READER, variables: { unitCode: '9' } });
  expect(bad.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'unitCode' });
});

test('checkpoints rejects a page size above the maximum and a bad cursor', async () => {
  const tooBig = await sg.query(LIST, { principal: READER, variables: { first: MAX_PAGE_SIZE + 1 } });
  expect(tooBig.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  expect(tooBig.body.errors?.[0]?.extensions?.field).toBe('first');
  expect(tooBig.body.data).toBeNull();
  const badCursor = await sg.query(LIST, {
    principal: READER,
    variables: { after: Buffer.from('[1,2]').toString('base64url') },
  });
  expect(badCursor.body.errors?.[0]?.extensions?.field).toBe('after');
});

test('_entities resolves checkpoints in order, null for unknown ids, in one SQL statement', async () => {
  const a = await insertCheckpoint(sg.dataSource);
  const b = await insertCheckpoint(sg.dataSource);
  const counter = countStatements(sg.dataSource);
  try {
    const res = await sg.query(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Checkpoint { id name } } }`,
      {
        principal: READER,
        variables: {
          r: [
            { __typename: 'Checkpoint', id: b.id },
            { __typename: 'Checkpoint', id: UNKNOWN_ID },
            { __typename: 'Checkpoint', id: a.id },
          ],
        },
      },
    );
    expect(res.body).toEqual({ data: { _entities: [{ id: b.id, name: b.name }, null, { id: a.id, name: a.name }] } });
    expect(counter.statements).toHaveLength(1);
  } finally {
    counter.restore();
  }
});

test('_entities adds passages to citizens and movement declarations and checkpoints to organisations, one statement per type', async () => {
  const cp = await insertCheckpoint(sg.dataSource, { operatorCode: 'TEST-OPS', provinceCode: '92' });
  const movementId = '00e00000-0000-4000-8000-000000000999';
  const scannedAt = new Date(Date.now() - 3_600_000);
  const a = await insertPassage(sg.dataSource, { checkpointId: cp.id, citizenRef: testCitizenRef(901), scannedAt });
  const b = await insertPassage(sg.dataSource, {
    checkpointId: cp.id,
    citizenRef: testCitizenRef(902),
    scannedAt,
    movementDeclarationId: movementId,
  });
  const counter = countStatements(sg.dataSource);
  try {
    const res = await sg.query(
      `query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Citizen { ref passages { id } }
        ... on MovementDeclaration { id passages { id } }
        ... on Organisation { code checkpoints { id } }
        ... on Passage { id }
      } }`,
      {
        // Citizen.passages is part of a person's timeline: it needs a declared purpose.
        principal: { ...READER, purpose: 'contact tracing' },
        variables: {
          r: [
            { __typename: 'Citizen', ref: testCitizenRef(901) },
            { __typename: 'Citizen', ref: testCitizenRef(902) },
            { __typename: 'Citizen', ref: testCitizenRef(903) },
            { __typename: 'MovementDeclaration', id: movementId },
            { __typename: 'MovementDeclaration', id: 'not-a-uuid' },
            { __typename: 'Organisation', code: 'TEST-OPS' },
            { __typename: 'Passage', id: b.id },
            { __typename: 'Passage', id: UNKNOWN_ID },
          ],
        },
      },
    );
    expect(res.body).toEqual({
      data: {
        _entities: [
          { ref: testCitizenRef(901), passages: [{ id: a.id }] },
          { ref: testCitizenRef(902), passages: [{ id: b.id }] },
          { ref: testCitizenRef(903), passages: [] },
          { id: movementId, passages: [{ id: b.id }] },
          { id: 'not-a-uuid', passages: [] },
          { code: 'TEST-OPS', checkpoints: [{ id: cp.id }] },
          { id: b.id },
          null,
        ],
      },
    });
    expect(counter.statements).toHaveLength(4);
  } finally {
    counter.restore();
  }
});

test('a request without a gateway token gets HTTP 401', async () => {
  await expectUnauthenticated(sg, LIST);
});

test('reading without checkpoints:read is FORBIDDEN', async () => {
  await expectForbidden(sg, LIST, { scopes: ['org:read'] });
});

test('entities and migrations have not drifted', async () => {
  expect(await pendingSchemaChanges(sg.dataSource)).toEqual([]);
});
