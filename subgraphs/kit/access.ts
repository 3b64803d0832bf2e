import { Kind, parse, type ConstDirectiveNode, type ConstValueNode } from 'graphql';

/**
 * The `@access` rules of a composed supergraph (DESIGN §5.3). Semantics follow Apollo Router's
 * `@requiresScopes`: scopes [[a, b], [c]] means (a and b) or c. The directive is repeatable, so a
 * type or field marked by several subgraphs carries several rules and every one must hold. A field
 * also needs the rules of the type it returns.
 */
export interface AccessRule {
  dataClass: string;
  /** Alternatives, each a set of scopes that must all be held; empty means no scope is needed. */
  anyOf: string[][];
}

export interface AccessRules {
  /** Rules on `Type.field`. */
  fields: ReadonlyMap<string, AccessRule[]>;
  /** Rules on a named type (object, interface, scalar, enum). */
  types: ReadonlyMap<string, AccessRule[]>;
}

function stringValue(v: ConstValueNode | undefined): string | undefined {
  return v?.kind === Kind.STRING ? v.value : undefined;
}

function toRule(d: ConstDirectiveNode): AccessRule {
  const arg = (name: string) => d.arguments?.find((a) => a.name.value === name)?.value;
  const scopes = arg('scopes');
  const anyOf: string[][] = [];
  if (scopes?.kind === Kind.LIST) {
    for (const inner of scopes.values) {
      if (inner.kind === Kind.LIST) anyOf.push(inner.values.map(stringValue).filter((s): s is string => !!s));
    }
  }
  return { dataClass: stringValue(arg('class')) ?? 'operational', anyOf };
}

const accessOf = (directives: readonly ConstDirectiveNode[] | undefined): AccessRule[] =>
  (directives ?? []).filter((d) => d.name.value === 'access').map(toRule);

function push(map: Map<string, AccessRule[]>, key: string, rules: AccessRule[]): void {
  if (!rules.length) return;
  const list = map.get(key) ?? [];
  for (const r of rules) {
    // composition may carry the same rule once per subgraph; one copy is enough
    if (!list.some((x) => x.dataClass === r.dataClass && JSON.stringify(x.anyOf) === JSON.stringify(r.anyOf))) {
      list.push(r);
    }
  }
  map.set(key, list);
}

export function accessRulesOf(supergraphSdl: string): AccessRules {
  const fields = new Map<string, AccessRule[]>();
  const types = new Map<string, AccessRule[]>();
  for (const def of parse(supergraphSdl).definitions) {
    switch (def.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_EXTENSION:
        push(types, def.name.value, accessOf(def.directives));
        for (const f of def.fields ?? []) push(fields, `${def.name.value}.${f.name.value}`, accessOf(f.directives));
        break;
      case Kind.SCALAR_TYPE_DEFINITION:
      case Kind.ENUM_TYPE_DEFINITION:
        push(types, def.name.value, accessOf(def.directives));
        break;
      default:
        break;
    }
  }
  return { fields, types };
}

/**
 * Everything that guards `Parent.field`: its own rules, the rules of the type it returns (a field
 * is blocked when its return type is), and the rules of its parent type (reading any field of a
 * protected type — also through `_entities` — needs the type's rule).
 */
export function rulesForField(rules: AccessRules, parent: string, field: string, returnType: string): AccessRule[] {
  return [
    ...(rules.fields.get(`${parent}.${field}`) ?? []),
    ...(rules.types.get(returnType) ?? []),
    ...(rules.types.get(parent) ?? []),
  ];
}

/** Whether `scopes` satisfy every rule. */
export function satisfies(rules: readonly AccessRule[], scopes: ReadonlySet<string>): boolean {
  return rules.every((r) => r.anyOf.length === 0 || r.anyOf.some((all) => all.every((s) => scopes.has(s))));
}
