import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { cachedOperationCost, operationCost } from '../../gateway/limits/cost';

/** The remembered cost (`cachedOperationCost`) against the computed one, on a small schema. */
const SDL = `
  type Query { units(first: Int): UnitConnection! unit(code: ID!): Unit }
  type UnitConnection { edges: [UnitEdge!]! }
  type UnitEdge { node: Unit! }
  type Unit { code: ID! children: [Unit!]! }
`;
const opts = { defaultPageSize: 20, maxPageSize: 200, defaultListSize: 10 };
const operationOf = (doc: ReturnType<typeof parse>) => doc.definitions[0] as OperationDefinitionNode;

describe('cachedOperationCost', () => {
  const schema = buildSchema(SDL);
  const doc = parse(
    `query($n: Int, $code: ID!) { units(first: $n) { edges { node { children { code } } } } unit(code: $code) { code } }`,
  );
  const op = operationOf(doc);
  const cost = (variables: Record<string, unknown>, s = schema) => cachedOperationCost(s, doc, op, variables, opts);

  test('equals the computed cost for each value of the variables it reads, in any order of calls', () => {
    for (const n of [2, 200, 2, 50, 200, undefined, 2]) {
      const variables = { n, code: 'x' };
      expect(cost(variables)).toBe(operationCost(schema, doc, op, variables, opts));
    }
    expect(cost({ n: 2, code: 'x' })).toBeLessThan(cost({ n: 200, code: 'x' }));
  });

  test('a variable the cost does not read does not matter; one it reads does', () => {
    expect(cost({ n: 5, code: 'a' })).toBe(cost({ n: 5, code: 'b' }));
    expect(cost({ n: 5, code: 'a' })).not.toBe(cost({ n: 6, code: 'a' }));
  });

  test('another schema (a new supergraph) is costed afresh', () => {
    const wider = buildSchema(SDL.replace('children: [Unit!]!', 'children(first: Int): [Unit!]!'));
    const variables = { n: 10, code: 'x' };
    expect(cost(variables, wider)).toBe(operationCost(wider, doc, op, variables, opts));
    expect(cost(variables, wider)).not.toBe(cost(variables));
  });

  test('a variable left out takes its declared default, as execution does; one sent as null does not', () => {
    const withDefault = parse(`query($n: Int = 200) { units(first: $n) { edges { node { code } } } }`);
    const o = operationOf(withDefault);
    const at = (variables: Record<string, unknown>) => cachedOperationCost(schema, withDefault, o, variables, opts);
    expect(at({})).toBe(at({ n: 200 }));
    expect(at({ n: null })).toBe(at({ n: opts.defaultPageSize }));
    expect(at({})).toBeGreaterThan(at({ n: null }));
    expect(at({})).toBe(operationCost(schema, withDefault, o, {}, opts));
  });

  test('more values than it keeps per operation: still right', () => {
    for (let n = 1; n <= 150; n++) expect(cost({ n, code: 'x' })).toBe(operationCost(schema, doc, op, { n }, opts));
  });
});
