import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import {
  buildSchema,
  getVariableValues,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  parse,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { apiSchemaOf } from '../../gateway/operation-check';
import { checkVariablesWithoutCoercing, variablesSurelyValid } from '../../gateway/variables';
import { schemaFile } from '../../subgraphs/kit/paths';
import { seededRandom, type SeededRandom } from '../random';
import { ingestPassages } from '../../bench/scenarios';

/**
 * gateway/variables.ts answers "would graphql-js accept these variables?" without coercing them.
 * It may say "not sure" (graphql-js then runs), never "yes" where graphql-js finds an error:
 * checked against graphql-js on every argument type of the real API schema and on a schema with the
 * shapes the API has none of, with seeded random values, valid and broken.
 */

/** A value graphql-js accepts for `type` (by construction). */
function validValue(type: GraphQLInputType, r: SeededRandom, depth = 0): unknown {
  if (isNonNullType(type)) return nonNull(type.ofType, r, depth);
  if (r.next() < 0.1) return null;
  if (isListType(type)) {
    const item = type.ofType as GraphQLInputType;
    if (r.next() < 0.15) return nonNull(item, r, depth + 1); // a single value stands for a list of one
    return Array.from({ length: depth > 3 ? 0 : r.int(4) }, () => validValue(item, r, depth + 1));
  }
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    if (type.isOneOf) {
      const f = r.pick(fields);
      return { [f.name]: nonNull(f.type, r, depth + 1) };
    }
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      const required = isNonNullType(f.type) && f.defaultValue === undefined;
      if (required || (depth < 4 && r.next() < 0.5)) out[f.name] = validValue(f.type, r, depth + 1);
    }
    return out;
  }
  return leafFor(type, r);
}

function nonNull(type: GraphQLInputType, r: SeededRandom, depth: number): unknown {
  let v: unknown = null;
  while (v === null) v = validValue(type, r, depth);
  return v;
}

function leafFor(type: GraphQLInputType, r: SeededRandom): unknown {
  if (isEnumType(type)) return r.pick(type.getValues()).name;
  if (isScalarType(type)) {
    const n = r.int(1000);
    switch (type.name) {
      case 'Int':
        return n - 500;
      case 'Float':
        return n / 7;
      case 'Boolean':
        return n % 2 === 0;
      case 'ID':
        return n % 2 === 0 ? `id-${n}` : n;
      default:
        return `value-${n}`; // String, and custom scalars (the gateway's API schema parses them as they come)
    }
  }
  throw new Error(`not a leaf type: ${String(type)}`);
}

const WRONG_LEAVES: unknown[] = ['not-a-number', 1.5, 2 ** 40, true, 'NO_SUCH_VALUE', { a: 1 }, [1, 2], 7];

/** The value with one thing broken somewhere (graphql-js may or may not refuse it). */
function broken(value: unknown, type: GraphQLInputType, r: SeededRandom): unknown {
  if (isNonNullType(type)) return r.next() < 0.2 ? null : broken(value, type.ofType, r);
  if (value === null || value === undefined) return r.pick(WRONG_LEAVES);
  if (isListType(type)) {
    if (!Array.isArray(value) || value.length === 0 || r.next() < 0.2)
      return r.pick([{ not: 'a list' }, ...WRONG_LEAVES]);
    const copy = [...(value as unknown[])];
    const i = r.int(copy.length);
    copy[i] = broken(copy[i], type.ofType as GraphQLInputType, r);
    return copy;
  }
  if (isInputObjectType(type)) {
    if (typeof value !== 'object' || Array.isArray(value)) return { unexpected: 1 };
    const copy = { ...(value as Record<string, unknown>) };
    const fields = Object.values(type.getFields());
    const roll = r.next();
    if (roll < 0.25) copy[`unknown_${r.int(9)}`] = 1;
    else if (roll < 0.4) copy['constructor'] = 'x';
    else if (roll < 0.6 && fields.length) delete copy[r.pick(fields).name];
    else if (fields.length) {
      const f = r.pick(fields);
      copy[f.name] = broken(copy[f.name], f.type, r);
    }
    return r.next() < 0.05 ? [copy] : copy;
  }
  return r.pick(WRONG_LEAVES);
}

function compare(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Record<string, unknown>) {
  const defs = operation.variableDefinitions ?? [];
  const fast = variablesSurelyValid(schema, defs, variables);
  const { errors } = getVariableValues(schema, defs, variables);
  return { fast, graphqlOk: !errors };
}

/** One operation per argument of every Query and Mutation field, the argument as a variable. */
function argumentOperations(schema: GraphQLSchema) {
  const ops: { op: OperationDefinitionNode; name: string; type: GraphQLInputType }[] = [];
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      for (const arg of field.args) {
        const doc = parse(`query Q($v: ${arg.type.toString()}) { __typename }`);
        ops.push({
          op: doc.definitions[0] as OperationDefinitionNode,
          name: `${field.name}(${arg.name})`,
          type: arg.type,
        });
      }
    }
  }
  return ops;
}

const EXTRA = buildSchema(`
  enum Colour { RED GREEN }
  scalar Anything
  input Inner { n: Int!, tags: [String!], colour: Colour = RED, deep: [[Int]] }
  input Outer { inner: Inner!, many: [Inner!]!, when: Anything, flag: Boolean, id: ID, ratio: Float, optional: Inner }
  input Choice @oneOf { byName: String, byNumber: Int, byInner: Inner }
  type Query { a(o: Outer, c: Choice, list: [Outer!], d: Int = 3, e: Inner! = { n: 1 }): Int }
`);

describe.each([
  ['the API schema', () => apiSchemaOf(readFileSync(schemaFile('supergraph.graphql'), 'utf8'))],
  ['a schema with oneOf, defaults, nested lists', () => EXTRA],
])('against graphql-js, on %s', (_label, schemaOf) => {
  const schema = schemaOf();
  const ops = argumentOperations(schema);

  test('valid values: both accept (so the fast answer is used), for every argument type', () => {
    const r = seededRandom(20_261_128);
    let fastYes = 0;
    let total = 0;
    for (const { op, name, type } of ops) {
      for (let i = 0; i < 30; i++) {
        const v = validValue(type, r);
        const { fast, graphqlOk } = compare(schema, op, { v });
        expect({ name, v, graphqlOk }).toEqual({ name, v, graphqlOk: true });
        if (fast) fastYes += 1;
        total += 1;
      }
    }
    // "not sure" is allowed only for oneOf input objects (left to graphql-js)
    const oneOfShare = schema === EXTRA ? 0.5 : 0;
    expect(fastYes).toBeGreaterThanOrEqual(Math.floor(total * (1 - oneOfShare)));
  });

  test('broken values: never "surely valid" where graphql-js finds an error', () => {
    const r = seededRandom(7);
    let refusedByGraphql = 0;
    for (const { op, name, type } of ops) {
      for (let i = 0; i < 60; i++) {
        const v = broken(validValue(type, r), type, r);
        const variables = r.next() < 0.05 ? {} : { v };
        const { fast, graphqlOk } = compare(schema, op, variables);
        if (!graphqlOk) refusedByGraphql += 1;
        if (fast) expect({ name, v, graphqlOk }).toEqual({ name, v, graphqlOk: true });
      }
    }
    expect(refusedByGraphql).toBeGreaterThan(ops.length * 20); // the generator does break values
  });
});

test('variable defaults and absent variables as graphql-js treats them', () => {
  const op = parse('query Q($d: Int = 3, $e: Inner! = { n: 1 }, $f: Int!, $g: Int) { __typename }')
    .definitions[0] as OperationDefinitionNode;
  const defs = op.variableDefinitions!;
  expect(variablesSurelyValid(EXTRA, defs, { f: 1 })).toBe(true);
  expect(variablesSurelyValid(EXTRA, defs, {})).toBe(false); // $f is required
  expect(variablesSurelyValid(EXTRA, defs, { f: null })).toBe(false);
  expect(variablesSurelyValid(EXTRA, defs, { f: 1, g: null, d: null })).toBe(true);
  expect(variablesSurelyValid(EXTRA, defs, { f: 1, e: { n: 2, extra: 1 } })).toBe(false);
});

test('a batch of 1,000 passages as the bench sends it (bench/scenarios.ts) is answered without graphql-js', () => {
  const schema = apiSchemaOf(readFileSync(schemaFile('supergraph.graphql'), 'utf8'));
  const op = parse(`mutation Batch($device: String!, $passages: [BatchPassageInput!]!) {
    recordPassagesBatch(deviceId: $device, passages: $passages) { stored } }`)
    .definitions[0] as OperationDefinitionNode;
  const passages = ingestPassages(
    { kind: 'batch', deviceId: 'd-1', refs: ['ref-1', 'ref-2'], size: 1_000, now: Date.parse('2026-11-27T10:00:00Z') },
    0,
  );
  expect(getVariableValues(schema, op.variableDefinitions!, { device: 'd-1', passages }).errors).toBeUndefined();
  expect(variablesSurelyValid(schema, op.variableDefinitions!, { device: 'd-1', passages })).toBe(true);
});

test('the method it stands in front of still exists in @apollo/gateway (an upgrade that renames it fails here)', () => {
  expect(typeof (ApolloGateway.prototype as unknown as Record<string, unknown>).validateIncomingRequest).toBe(
    'function',
  );
  const gateway = new ApolloGateway({ supergraphSdl: readFileSync(schemaFile('supergraph.graphql'), 'utf8') });
  expect(checkVariablesWithoutCoercing(gateway)).toBe(true);
  expect(Object.prototype.hasOwnProperty.call(gateway, 'validateIncomingRequest')).toBe(true);
  // without the method nothing is changed (the gateway keeps its own check)
  const other = {};
  expect(checkVariablesWithoutCoercing(other)).toBe(false);
  expect(other).toEqual({});
});
