import { pendingSchemaChanges } from '../../subgraphs/kit/db';
import { testCitizenRef } from '../factories/citizens';
import { insertMovement } from '../factories/movement';
import { testInstant, UNITS } from '../factories/sequence';
import { countStatements } from '../statement-counter';
import { expectForbidden, expectUnauthenticated } from '../subgraph-assertions';
import { useSubgraph } from '../subgraph-client';

/** A health official: movement:read, pii:read (conveyance ids) and org:read (unit codes). */
// National, with a declared purpose (a citizen's movements through an entity join need one).
const READER = { roles: ['health_official'], purpose: 'contact tracing' };
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

const sg = useSubgraph('movement');

test('movement(id) returns the stored journey with its citizen and route', async () => {
  const m = await insertMovement(sg.dataSource, { mode: 'CAR', conveyanceId: '29A-123.45', originWardCode: null });
  const res = await sg.query(
    `query($id: ID!) { movement(id: $id) {
      id mode conveyanceId departAt arriveAt status citizen { ref }
      originProvince { code } originDistrict { code } originWard { code }
      destinationProvince { code } destinationDistrict { code } destinationWard { code }
    } }`,
    { principal: READER, variables: { id: m.id } },
  );
  expect(res.status).toBe(200);
  expect(res.body).toEqual({
    data: {
      movement: {
        id: m.id,
        mode: 'CAR',
        conveyanceId: '29A-123.45',
        departAt: m.departAt.toISOString(),
        arriveAt: m.arriveAt?.toISOString(),
        status: 'DECLARED',
        citizen: { ref: m.citizenRef },
        originProvince: { code: UNITS.haNoi.province },
        originDistrict: { code: UNITS.haNoi.district },
        originWard: null,
        destinationProvince: { code: UNITS.hoChiMinh.province },
        destinationDistrict: { code: UNITS.hoChiMinh.district },
        destinationWard: { code: UNITS.hoChiMinh.ward },
      },
    },
  });
});

test('movement(id) is null for an unknown or malformed id', async () => {
  const res = await sg.query(`{ a: movement(id: "${UNKNOWN_ID}") { id } b: movement(id: "x") { id } }`, {
    principal: READER,
  });
  expect(res.body).toEqual({ data: { a: null, b: null } });
});

test('_entities resolves movements in order, null for unknown ids, in one SQL statement', async () => {
  const a = await insertMovement(sg.dataSource);
  const b = await insertMovement(sg.dataSource);
  const counter = countStatements(sg.dataSource);
  try {
    const res = await sg.query(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on MovementDeclaration { id conveyanceId } } }`,
      {
        principal: READER,
        variables: {
          r: [
            { __typename: 'MovementDeclaration', id: b.id },
            { __typename: 'MovementDeclaration', id: UNKNOWN_ID },
            { __typename: 'MovementDeclaration', id: a.id },
          ],
        },
      },
    );
    expect(res.body).toEqual({
      data: {
        _entities: [{ id: b.id, conveyanceId: b.conveyanceId }, null, { id: a.id, conveyanceId: a.conveyanceId }],
      },
    });
    expect(counter.statements).toHaveLength(1);
  } finally {
    counter.restore();
  }
});

test('_entities of 2 or 20 movements with their histories and companions: the same statements', async () => {
  const insert = (n: number) =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        insertMovement(sg.dataSource, { companionRefs: [testCitizenRef(800 + i)], status: 'APPROVED' }),
      ),
    );
  const query = `query($r: [_Any!]!) { _entities(representations: $r) {
    ... on MovementDeclaration { id status statusHistory { from to } companions { ref movements { id } } }
  } }`;
  const statements = async (rows: { id: string }[]) => {
    const counter = countStatements(sg.dataSource);
    try {
      const res = await sg.query<{ _entities: { id: string }[] }>(query, {
        principal: READER,
        variables: { r: rows.map((m) => ({ __typename: 'MovementDeclaration', id: m.id })) },
      });
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data!._entities.map((e) => e.id)).toEqual(rows.map((m) => m.id));
      return counter.statements.length;
    } finally {
      counter.restore();
    }
  };
  const few = await statements(await insert(2));
  expect(await statements(await insert(20))).toBe(few);
  expect(few).toBe(3); // declarations, histories, companions' movements
});

test('writes need their scopes: declaring movement:write, deciding movement:decide', async () => {
  const m = await insertMovement(sg.dataSource);
  const app = { scopes: ['movement:write'] };
  await expectForbidden(sg, `mutation { cancelMovement(id: "${m.id}", reason: "x") { id } }`, READER);
  await expectForbidden(sg, `mutation { approveMovement(id: "${m.id}") { id } }`, app);
  await expectForbidden(sg, `mutation { rejectMovement(id: "${m.id}", reason: "x") { id } }`, app);
});

test('Citizen.movements extends the citizen: newest first, narrowed by since, one statement for all citizens', async () => {
  const ref = testCitizenRef(700);
  const first = await insertMovement(sg.dataSource, { citizenRef: ref, departAt: testInstant(10), arriveAt: null });
  const second = await insertMovement(sg.dataSource, { citizenRef: ref, departAt: testInstant(50), arriveAt: null });
  const other = await insertMovement(sg.dataSource, { citizenRef: testCitizenRef(701) });
  const counter = countStatements(sg.dataSource);
  try {
    const res = await sg.query(
      `query($r: [_Any!]!, $since: DateTime) { _entities(representations: $r) {
        ... on Citizen { ref movements { id } recent: movements(since: $since) { id } }
      } }`,
      {
        principal: READER,
        variables: {
          r: [
            { __typename: 'Citizen', ref },
            { __typename: 'Citizen', ref: 't1.travelled-nowhere' },
            { __typename: 'Citizen', ref: other.citizenRef },
          ],
          since: testInstant(20).toISOString(),
        },
      },
    );
    expect(res.body).toEqual({
      data: {
        _entities: [
          { ref, movements: [{ id: second.id }, { id: first.id }], recent: [{ id: second.id }] },
          { ref: 't1.travelled-nowhere', movements: [], recent: [] },
          { ref: other.citizenRef, movements: [{ id: other.id }], recent: [{ id: other.id }] },
        ],
      },
    });
    expect(counter.statements).toHaveLength(2); // one per distinct `since`
  } finally {
    counter.restore();
  }
});

test('a request without a gateway token gets HTTP 401', async () => {
  await expectUnauthenticated(sg, `{ movement(id: "${UNKNOWN_ID}") { id } }`);
});

test('reading without movement:read is FORBIDDEN', async () => {
  await expectForbidden(sg, `{ movement(id: "${UNKNOWN_ID}") { id } }`, { scopes: ['declarations:read'] });
});

test('entities and migrations have not drifted', async () => {
  expect(await pendingSchemaChanges(sg.dataSource)).toEqual([]);
});
