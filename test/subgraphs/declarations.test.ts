import { pendingSchemaChanges } from '../../subgraphs/kit/db';
import { testCitizenRef } from '../factories/citizens';
import { insertCitizen, insertDeclaration } from '../factories/declarations';
import { testInstant, UNITS } from '../factories/sequence';
import { countStatements } from '../statement-counter';
import { expectForbidden, expectUnauthenticated } from '../subgraph-assertions';
import { useSubgraph } from '../subgraph-client';

// declarations:read, pii:read, and org:read for the unit stubs; national, with a declared purpose
const READER = { roles: ['health_official'], purpose: 'case-investigation' };
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

const sg = useSubgraph('declarations');

const DECLARATION_FIELDS = `id version kind questionnaireVersion channel submittedAt identity { fullName }
  citizen { ref } province { code } district { code } ward { code }`;

test('declaration(id) returns the stored declaration with its citizen and units', async () => {
  const d = await insertDeclaration(sg.dataSource, { kind: 'ENTRY', channel: 'onsite', wardCode: null });
  const res = await sg.query(`query($id: ID!) { declaration(id: $id) { ${DECLARATION_FIELDS} } }`, {
    principal: READER,
    variables: { id: d.id },
  });
  expect(res.status).toBe(200);
  expect(res.body.errors).toBeUndefined();
  expect(res.body.data).toEqual({
    declaration: {
      id: d.id,
      version: 1,
      kind: 'ENTRY',
      questionnaireVersion: '2021-08',
      channel: 'onsite',
      submittedAt: d.submittedAt.toISOString(),
      identity: { fullName: d.identitySnapshot.fullName },
      citizen: { ref: d.citizenRef },
      province: { code: UNITS.haNoi.province },
      district: { code: UNITS.haNoi.district },
      ward: null,
    },
  });
});

test('declaration(id) is null for an unknown or malformed id', async () => {
  const res = await sg.query(
    `query { a: declaration(id: "${UNKNOWN_ID}") { id } b: declaration(id: "not-a-uuid") { id } }`,
    { principal: READER },
  );
  expect(res.body).toEqual({ data: { a: null, b: null } });
});

test('citizen(ref) lists the declarations newest first, narrowed by since and kinds', async () => {
  const ref = testCitizenRef(900);
  const older = await insertDeclaration(sg.dataSource, {
    citizenRef: ref,
    kind: 'DAILY_MONITORING',
    submittedAt: testInstant(100),
  });
  const newer = await insertDeclaration(sg.dataSource, {
    citizenRef: ref,
    kind: 'DOMESTIC_TRAVEL',
    submittedAt: testInstant(200),
  });
  await insertDeclaration(sg.dataSource, { citizenRef: testCitizenRef(901), submittedAt: testInstant(150) });
  const q = `query($ref: ID!, $since: DateTime, $kinds: [DeclarationKind!]) {
    citizen(ref: $ref) { ref all: declarations { id } recent: declarations(since: $since) { id } daily: declarations(kinds: $kinds) { id } }
  }`;
  const res = await sg.query(q, {
    principal: READER,
    variables: { ref, since: testInstant(150).toISOString(), kinds: ['DAILY_MONITORING'] },
  });
  expect(res.body).toEqual({
    data: {
      citizen: {
        ref,
        all: [{ id: newer.id }, { id: older.id }],
        recent: [{ id: newer.id }],
        daily: [{ id: older.id }],
      },
    },
  });
});

test('citizen(ref) is null for a pseudonym with no record, BAD_USER_INPUT for what is no pseudonym', async () => {
  const res = await sg.query(`query ($ref: ID!) { citizen(ref: $ref) { ref } }`, {
    principal: READER,
    variables: { ref: testCitizenRef(987654) },
  });
  expect(res.body).toEqual({ data: { citizen: null } });
  const bad = await sg.query(`{ citizen(ref: "t1.unknown") { ref } }`, { principal: READER });
  expect(bad.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ref' });
});

test('_entities resolves declarations in order, null for unknown ids, in one SQL statement', async () => {
  const a = await insertDeclaration(sg.dataSource);
  const b = await insertDeclaration(sg.dataSource);
  const counter = countStatements(sg.dataSource);
  try {
    const res = await sg.query(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on HealthDeclaration { id version kind } } }`,
      {
        principal: READER,
        variables: {
          r: [
            { __typename: 'HealthDeclaration', id: b.id },
            { __typename: 'HealthDeclaration', id: UNKNOWN_ID },
            { __typename: 'HealthDeclaration', id: a.id },
            { __typename: 'HealthDeclaration', id: 'not-a-uuid' },
          ],
        },
      },
    );
    expect(res.body).toEqual({
      data: {
        _entities: [
          { id: b.id, version: 1, kind: 'UNIVERSAL' },
          null,
          { id: a.id, version: 1, kind: 'UNIVERSAL' },
          null,
        ],
      },
    });
    expect(counter.statements).toHaveLength(1);
  } finally {
    counter.restore();
  }
});

test('_entities resolves citizens and their declarations with one statement per hop', async () => {
  const c1 = await insertCitizen(sg.dataSource);
  const c2 = await insertCitizen(sg.dataSource);
  const d1 = await insertDeclaration(sg.dataSource, { citizenRef: c1.ref });
  const d2 = await insertDeclaration(sg.dataSource, { citizenRef: c2.ref });
  const counter = countStatements(sg.dataSource);
  try {
    const res = await sg.query(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { ref declarations { id } } } }`,
      {
        principal: READER,
        variables: {
          r: [
            { __typename: 'Citizen', ref: c2.ref },
            { __typename: 'Citizen', ref: 't1.nobody' },
            { __typename: 'Citizen', ref: c1.ref },
          ],
        },
      },
    );
    expect(res.body).toEqual({
      data: {
        _entities: [
          { ref: c2.ref, declarations: [{ id: d2.id }] },
          null,
          { ref: c1.ref, declarations: [{ id: d1.id }] },
        ],
      },
    });
    expect(counter.statements).toHaveLength(2); // citizens, then their declarations
  } finally {
    counter.restore();
  }
});

test('a request without a gateway token gets HTTP 401', async () => {
  await expectUnauthenticated(sg, `{ declaration(id: "${UNKNOWN_ID}") { id } }`);
  const forged = await sg.query(`{ _service { sdl } }`, { token: 'eyJhbGciOiJub25lIn0.e30.' });
  expect(forged.status).toBe(401);
});

test('reading without declarations:read is FORBIDDEN', async () => {
  const res = await expectForbidden(sg, `{ declaration(id: "${UNKNOWN_ID}") { id } }`, { scopes: ['org:read'] });
  expect(res.body.data).toEqual({ declaration: null });
});

test('entities and migrations have not drifted', async () => {
  expect(await pendingSchemaChanges(sg.dataSource)).toEqual([]);
});
