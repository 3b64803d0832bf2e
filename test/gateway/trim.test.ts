import { buildSchema, parse, print } from 'graphql';
import { accessRulesOf, satisfies } from '../../subgraphs/kit/access';
import { trimOperation } from '../../gateway/authorization/trim';
import { completeResult } from '../../gateway/authorization/complete';

const SDL = `
directive @access(class: String!, scopes: [[String!]!] = []) repeatable on OBJECT | INTERFACE | FIELD_DEFINITION | SCALAR | ENUM
type Query {
  person(id: ID!): Person @access(class: "operational", scopes: [["people:read"]])
  people: [Person!]! @access(class: "operational", scopes: [["people:read"]])
  audit: Audit @access(class: "restricted", scopes: [["audit:read"]])
  strictPerson: Person! @access(class: "operational", scopes: [["people:read"]])
}
type Person @access(class: "operational", scopes: [["people:read"]]) {
  id: ID! @access(class: "operational")
  name: String @access(class: "personal", scopes: [["pii:read"]])
  phone: String! @access(class: "personal", scopes: [["pii:read", "phone:read"], ["dpo"]])
  address: Address @access(class: "personal")
}
type Address @access(class: "personal", scopes: [["pii:read"]]) {
  line: String @access(class: "personal")
}
type Audit @access(class: "restricted", scopes: [["audit:read"]]) { id: ID @access(class: "restricted") }
`;
const schema = buildSchema(SDL);
const rules = accessRulesOf(SDL);

function run(query: string, scopes: string[], variables: Record<string, unknown> = {}) {
  const have = new Set(scopes);
  return trimOperation(schema, parse(query), null, variables, (parent, field, ret) => {
    const f = rules.fields.get(`${parent}.${field}`) ?? [];
    const t = rules.types.get(ret) ?? [];
    return satisfies(f, have) && satisfies(t, have);
  });
}

test('scopes [[a, b], [c]] mean (a and b) or c; every repeated rule must hold', () => {
  const r = [{ dataClass: 'personal', anyOf: [['a', 'b'], ['c']] }];
  expect(satisfies(r, new Set(['a']))).toBe(false);
  expect(satisfies(r, new Set(['a', 'b']))).toBe(true);
  expect(satisfies(r, new Set(['c']))).toBe(true);
  expect(satisfies([...r, { dataClass: 'x', anyOf: [['d']] }], new Set(['c']))).toBe(false);
  expect(satisfies([{ dataClass: 'operational', anyOf: [] }], new Set())).toBe(true);
});

test('nothing forbidden: the document is passed through untouched', () => {
  const t = run('{ person(id: 1) { id name } }', ['people:read', 'pii:read']);
  expect(t.removals).toEqual([]);
});

test('a forbidden field is removed, reported once with its path, and answered null in the caller shape', () => {
  const t = run('{ people { id name alias: name } }', ['people:read']);
  expect(t.removals).toEqual([
    { path: ['people', 'name'], coordinate: 'Person.name' },
    { path: ['people', 'alias'], coordinate: 'Person.name' },
  ]);
  expect(print(t.document!)).toBe('{\n  people {\n    id\n  }\n}');
  const data = completeResult(
    schema,
    t.original.selectionSet,
    schema.getQueryType()!,
    { people: [{ id: '1' }, { id: '2' }] },
    t.removedNodes,
    {},
  );
  expect(data).toEqual({
    people: [
      { id: '1', name: null, alias: null },
      { id: '2', name: null, alias: null },
    ],
  });
});

test('a field whose return type is forbidden is removed too', () => {
  const t = run('{ person(id: 1) { id address { line } } }', ['people:read']);
  expect(t.removals).toEqual([{ path: ['person', 'address'], coordinate: 'Person.address' }]);
});

test('a non-null forbidden field nulls its nearest nullable parent', () => {
  const t = run('{ person(id: 1) { id phone } }', ['people:read', 'pii:read']);
  expect(t.removals.map((r) => r.coordinate)).toEqual(['Person.phone']);
  const data = completeResult(
    schema,
    t.original.selectionSet,
    schema.getQueryType()!,
    { person: { id: '1' } },
    t.removedNodes,
    {},
  );
  expect(data).toEqual({ person: null });
  // in a list of non-null items the whole list bubbles to its nullable parent: here the root
  const list = run('{ people { phone } }', ['people:read']);
  const root = schema.getQueryType()!;
  expect(
    completeResult(schema, list.original.selectionSet, root, { people: [{ __trim: 'Person' }] }, list.removedNodes, {}),
  ).toBeNull();
  // every root field removed: nothing is run at all
  const none = run('{ audit { id } }', []);
  expect(none.document).toBeNull();
  expect(completeResult(schema, none.original.selectionSet, root, {}, none.removedNodes, {})).toEqual({ audit: null });
});

test('a selection emptied by removals keeps a placeholder that never reaches the caller', () => {
  const t = run('{ person(id: 1) { name } }', ['people:read']);
  expect(print(t.document!)).toContain('__trim: __typename');
  const data = completeResult(
    schema,
    t.original.selectionSet,
    schema.getQueryType()!,
    { person: { __trim: 'Person' } },
    t.removedNodes,
    {},
  );
  expect(data).toEqual({ person: { name: null } });
});

test('fragments are inlined so each use reports its own path; unused variables are dropped', () => {
  const t = run(
    'query($id: ID!) { person(id: $id) { ...P } audit { id } } fragment P on Person { id name }',
    ['people:read'],
    { id: '1' },
  );
  expect(t.removals).toEqual([
    { path: ['person', 'name'], coordinate: 'Person.name' },
    { path: ['audit'], coordinate: 'Query.audit' },
  ]);
  const printed = print(t.document!);
  expect(printed).not.toContain('fragment');
  expect(printed).toContain('$id: ID!');
  const noVars = run('query($id: ID!) { audit { id } person(id: 2) { id } people { id } }', ['people:read'], {
    id: '1',
  });
  expect(print(noVars.document!)).not.toContain('$id');
});

test('@skip/@include: a skipped field is neither reported nor answered', () => {
  const q = 'query($s: Boolean!) { person(id: 1) { id name @skip(if: $s) } }';
  const skipped = run(q, ['people:read'], { s: true });
  expect(skipped.removals).toEqual([]);
  const kept = run(q, ['people:read'], { s: false });
  expect(kept.removals).toEqual([{ path: ['person', 'name'], coordinate: 'Person.name' }]);
  const data = completeResult(
    schema,
    skipped.original.selectionSet,
    schema.getQueryType()!,
    { person: { id: '1' } },
    new Set(),
    { s: true },
  );
  expect(data).toEqual({ person: { id: '1' } });
});
