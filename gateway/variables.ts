import {
  isEnumType,
  isInputObjectType,
  isInputType,
  isLeafType,
  isListType,
  isNonNullType,
  typeFromAST,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLSchema,
  type VariableDefinitionNode,
} from 'graphql';

/**
 * The gateway checks a request's variables before planning (`ApolloGateway.validateIncomingRequest`)
 * with graphql-js's `getVariableValues`, which builds a coerced copy of every value only to throw it
 * away: for a batch of 1,000 passages about a third of the gateway's CPU (docs/PERFORMANCE.md,
 * step 16). `variablesSurelyValid` answers the same question without building anything, and only
 * ever answers `true` where graphql-js would find no error; whenever it is not sure (a value it
 * would refuse, or a shape it does not check itself) it answers `false`, and graphql-js runs as
 * before, so every error the caller sees is still graphql-js's own. Leaf values are checked by the
 * type's own `parseValue`, as graphql-js does.
 */
export function variablesSurelyValid(
  schema: GraphQLSchema,
  definitions: readonly VariableDefinitionNode[],
  inputs: Readonly<Record<string, unknown>>,
): boolean {
  for (const definition of definitions) {
    const type = typeFromAST(schema, definition.type);
    if (!type || !isInputType(type)) return false;
    const name = definition.variable.name.value;
    if (!Object.prototype.hasOwnProperty.call(inputs, name)) {
      if (!definition.defaultValue && isNonNullType(type)) return false;
      continue; // a default given in the document is the document's (validated with it)
    }
    if (!valueValid(inputs[name], type)) return false;
  }
  return true;
}

function valueValid(value: unknown, type: GraphQLInputType): boolean {
  if (isNonNullType(type)) return value !== null && value !== undefined && valueValid(value, type.ofType);
  if (value === null || value === undefined) return true;
  if (isListType(type)) {
    const item = type.ofType as GraphQLInputType;
    if (Array.isArray(value)) {
      for (const v of value) if (!valueValid(v, item)) return false;
      return true;
    }
    // another iterable: left to graphql-js; a single value stands for a list of one
    if (typeof value === 'object' && Symbol.iterator in value) return false;
    return valueValid(value, item);
  }
  if (isInputObjectType(type)) return objectValid(value, type);
  if (isLeafType(type)) {
    try {
      return (isEnumType(type) ? type.parseValue(value, true) : type.parseValue(value)) !== undefined;
    } catch {
      return false;
    }
  }
  return false;
}

interface InputShape {
  fields: { name: string; type: GraphQLInputType; required: boolean }[];
  names: ReadonlySet<string>;
  oneOf: boolean;
}

const shapes = new WeakMap<GraphQLInputObjectType, InputShape>();

function shapeOf(type: GraphQLInputObjectType): InputShape {
  let shape = shapes.get(type);
  if (!shape) {
    const fields = Object.values(type.getFields()).map((f) => ({
      name: f.name,
      type: f.type,
      required: f.defaultValue === undefined && isNonNullType(f.type),
    }));
    shape = { fields, names: new Set(fields.map((f) => f.name)), oneOf: type.isOneOf };
    shapes.set(type, shape);
  }
  return shape;
}

function objectValid(value: unknown, type: GraphQLInputObjectType): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const shape = shapeOf(type);
  if (shape.oneOf) return false; // its extra rules are left to graphql-js
  const record = value as Record<string, unknown>;
  for (const field of shape.fields) {
    const v = record[field.name];
    if (v === undefined) {
      if (field.required) return false;
    } else if (!valueValid(v, field.type)) {
      return false;
    }
  }
  for (const key in record) {
    if (Object.prototype.hasOwnProperty.call(record, key) && !shape.names.has(key)) return false;
  }
  return true;
}

type ValidateIncomingRequest = (
  requestContext: { request: { variables?: Record<string, unknown> } },
  operationContext: { schema: GraphQLSchema; operation: { variableDefinitions?: readonly VariableDefinitionNode[] } },
) => readonly unknown[];

/**
 * Puts `variablesSurelyValid` in front of the gateway's own variable check (`validateIncomingRequest`,
 * private in @apollo/gateway 2.14's types): variables it is sure of pass without graphql-js building
 * their coerced copy; any others go through the original, unchanged. Returns false, changing nothing,
 * if the method is gone (the gateway then checks variables its own way, only slower; an upgrade that
 * renames it fails `test/gateway/variables.test.ts`).
 */
export function checkVariablesWithoutCoercing(gateway: object): boolean {
  const original = (gateway as { validateIncomingRequest?: ValidateIncomingRequest }).validateIncomingRequest;
  if (typeof original !== 'function') return false;
  const check: ValidateIncomingRequest = (requestContext, operationContext) => {
    const definitions = operationContext.operation.variableDefinitions;
    if (!definitions?.length) return [];
    if (variablesSurelyValid(operationContext.schema, definitions, requestContext.request.variables ?? {})) return [];
    return original.call(gateway, requestContext, operationContext);
  };
  Object.defineProperty(gateway, 'validateIncomingRequest', { value: check });
  return true;
}
