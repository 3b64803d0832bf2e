import {
  Kind,
  getNullableType,
  isAbstractType,
  isListType,
  isNonNullType,
  isInterfaceType,
  isObjectType,
  type GraphQLFieldMap,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { PLACEHOLDER, TYPENAME, included } from './trim';

const BUBBLE = Symbol('null bubbles to the parent');
type Variables = Readonly<Record<string, unknown>>;
interface Ctx {
  removed: ReadonlySet<FieldNode>;
  variables: Variables;
}
type Completed = unknown | typeof BUBBLE;
type Json = Record<string, unknown>;

/**
 * Puts the caller's whole selection back into a result computed from the trimmed operation: a
 * removed field answers null, and a null in a non-null position bubbles to the nearest nullable
 * parent, as GraphQL requires. Keys follow the caller's order; placeholders are dropped.
 */
export function completeResult(
  schema: GraphQLSchema,
  selectionSet: SelectionSetNode,
  rootType: GraphQLCompositeType,
  data: Json | null | undefined,
  removed: ReadonlySet<FieldNode>,
  variables: Variables,
): Json | null {
  const out = completeObject(schema, selectionSet, rootType, data ?? {}, { removed, variables });
  return out === BUBBLE ? null : (out as Json);
}

/** Field nodes by response key, through the inline fragments that apply to `typeName`. */
function collect(
  schema: GraphQLSchema,
  set: SelectionSetNode,
  typeName: string | undefined,
  variables: Variables,
  into = new Map<string, FieldNode[]>(),
): Map<string, FieldNode[]> {
  for (const s of set.selections) {
    if (!included(s, variables)) continue;
    if (s.kind === Kind.FIELD) {
      const key = s.alias?.value ?? s.name.value;
      const list = into.get(key);
      if (list) list.push(s);
      else into.set(key, [s]);
    } else if (s.kind === Kind.INLINE_FRAGMENT) {
      if (applies(schema, s.typeCondition?.name.value, typeName)) {
        collect(schema, s.selectionSet, typeName, variables, into);
      }
    }
  }
  return into;
}

function applies(schema: GraphQLSchema, condition: string | undefined, typeName: string | undefined): boolean {
  if (!condition || !typeName || condition === typeName) return true;
  const cond = schema.getType(condition);
  const concrete = schema.getType(typeName);
  return !!cond && isAbstractType(cond) && isObjectType(concrete) && schema.isSubType(cond, concrete);
}

function completeObject(
  schema: GraphQLSchema,
  set: SelectionSetNode,
  type: GraphQLCompositeType,
  obj: Json,
  ctx: Ctx,
): Completed {
  const typeName = isAbstractType(type) ? ((obj[TYPENAME] ?? obj.__typename) as string | undefined) : type.name;
  const concrete = typeName ? schema.getType(typeName) : undefined;
  const source = concrete && (isObjectType(concrete) || isInterfaceType(concrete)) ? concrete : type;
  const fieldsOf: GraphQLFieldMap<unknown, unknown> = 'getFields' in source ? source.getFields() : {};
  const out: Json = {};
  for (const [key, nodes] of collect(schema, set, typeName, ctx.variables)) {
    if (key === PLACEHOLDER || key === TYPENAME) continue;
    const first = nodes[0]!;
    if (first.name.value === '__typename') {
      out[key] = obj[key];
      continue;
    }
    const def = fieldsOf[first.name.value];
    if (!def) continue;
    let value: Completed = ctx.removed.has(first) ? null : obj[key];
    if (value !== null && value !== undefined) {
      const merged: SelectionSetNode = {
        kind: Kind.SELECTION_SET,
        selections: nodes.flatMap((n) => n.selectionSet?.selections ?? []),
      };
      value = merged.selections.length ? completeValue(schema, merged, def.type, value, ctx) : value;
    }
    if (value === BUBBLE || value === null || value === undefined) {
      if (isNonNullType(def.type)) return BUBBLE;
      value = null;
    }
    out[key] = value;
  }
  return out;
}

function completeValue(
  schema: GraphQLSchema,
  set: SelectionSetNode,
  type: GraphQLOutputType,
  value: unknown,
  ctx: Ctx,
): Completed {
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    const items: unknown[] = [];
    for (const item of value as unknown[]) {
      let v: Completed = item === null ? null : completeValue(schema, set, nullable.ofType, item, ctx);
      if (v === BUBBLE || v === null) {
        if (isNonNullType(nullable.ofType)) return BUBBLE;
        v = null;
      }
      items.push(v);
    }
    return items;
  }
  if ('getFields' in nullable || isAbstractType(nullable)) {
    return completeObject(schema, set, nullable as GraphQLCompositeType, value as Json, ctx);
  }
  return value;
}
