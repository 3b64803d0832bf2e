import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

export interface CostOptions {
  /** What a field with a `first` argument costs per item when `first` is not given. */
  defaultPageSize: number;
  /** `first` above it is refused by the subgraph (BAD_USER_INPUT); the cost counts at most this. */
  maxPageSize: number;
  /** The assumed size of a list field without a `first` argument. */
  defaultListSize: number;
}

/**
 * The cost of an operation, from the schema's shapes (README, "Operation limits"):
 *
 *   cost(field) = 1 + multiplier × cost(selection of the field)
 *   cost(selection) = Σ cost(field) over its fields (fragments expanded; `__…` fields cost 0)
 *
 * where multiplier is `first` (its literal or variable value — a variable the request leaves out
 * counts at its declared default, as execution uses it —, else `defaultPageSize`, at most
 * `maxPageSize`) for a field with a `first` argument (a connection or a paged list); 1 for a list
 * directly inside such a field (a connection's `edges`: already counted by `first`);
 * `defaultListSize` for any other list field; 1 otherwise. Nested lists multiply, so cost grows with
 * list sizes × depth.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
  opts: CostOptions,
  /** Collects the names of the variables the cost read (the `first` arguments given by variable). */
  read?: Set<string>,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const memo = new Map<string, number>();
  const visiting = new Set<string>();

  // a variable left out of the request takes its declared default (`$n: Int = 200`), as execution does
  const defaults = new Map<string, ValueNode>();
  for (const v of operation.variableDefinitions ?? []) {
    if (v.defaultValue) defaults.set(v.variable.name.value, v.defaultValue);
  }
  const pageOf = (value: ValueNode | undefined): number => {
    let n: unknown = undefined;
    if (value?.kind === Kind.VARIABLE) {
      const name = value.name.value;
      read?.add(name);
      if (Object.prototype.hasOwnProperty.call(variables, name)) n = variables[name];
      else value = defaults.get(name);
    }
    if (value?.kind === Kind.INT) n = Number(value.value);
    if (typeof n !== 'number' || !Number.isFinite(n)) return opts.defaultPageSize;
    return Math.max(0, Math.min(Math.floor(n), opts.maxPageSize));
  };

  const selectionCost = (set: SelectionSetNode, parent: GraphQLCompositeType, paged: boolean): number => {
    let total = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const name = sel.name.value;
        const key = `${name}|${paged}`;
        const frag = fragments.get(name);
        if (!frag || visiting.has(name)) continue; // validation refuses both before this runs
        let cost = memo.get(key);
        if (cost === undefined) {
          visiting.add(name);
          const type = schema.getType(frag.typeCondition.name.value);
          cost = type && isCompositeType(type) ? selectionCost(frag.selectionSet, type, paged) : 0;
          visiting.delete(name);
          memo.set(key, cost);
        }
        total += cost;
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const type = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent;
        if (type && isCompositeType(type)) total += selectionCost(sel.selectionSet, type, paged);
      } else {
        const name = sel.name.value;
        if (name.startsWith('__') || !(isObjectType(parent) || isInterfaceType(parent))) continue;
        const def = parent.getFields()[name];
        if (!def) continue;
        const hasFirst = def.args.some((a) => a.name === 'first');
        let multiplier = 1;
        if (hasFirst) multiplier = pageOf(sel.arguments?.find((a) => a.name.value === 'first')?.value);
        else if (isListType(getNullableType(def.type))) multiplier = paged ? 1 : opts.defaultListSize;
        const named = getNamedType(def.type);
        const children =
          sel.selectionSet && isCompositeType(named) ? selectionCost(sel.selectionSet, named, hasFirst) : 0;
        total += 1 + multiplier * children;
      }
    }
    return total;
  };

  const root = schema.getRootType(operation.operation);
  return root ? selectionCost(operation.selectionSet, root, false) : 0;
}

/** Per schema and operation: the variables its cost reads, and its cost by their values. */
const costs = new WeakMap<
  GraphQLSchema,
  WeakMap<OperationDefinitionNode, { names: string[]; byValues: Map<string, number> }>
>();
const COSTS_PER_OPERATION = 64;

/**
 * `operationCost`, remembered per schema and operation node (Apollo Server hands the same parsed
 * document to every request of the same query) and by the values of the variables the cost reads —
 * the only inputs besides the schema and the document that it depends on. `opts` must be the same
 * on every call (one plugin's).
 */
export function cachedOperationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
  opts: CostOptions,
): number {
  let bySchema = costs.get(schema);
  if (!bySchema) costs.set(schema, (bySchema = new WeakMap()));
  const entry = bySchema.get(operation);
  // a variable left out (its default applies) is not the same as one sent as null
  const keyOf = (names: string[]) =>
    names
      .map((n) => (Object.prototype.hasOwnProperty.call(variables, n) ? JSON.stringify(variables[n] ?? null) : '-'))
      .join(',');
  if (!entry) {
    const read = new Set<string>();
    const cost = operationCost(schema, document, operation, variables, opts, read);
    const names = [...read];
    bySchema.set(operation, { names, byValues: new Map([[keyOf(names), cost]]) });
    return cost;
  }
  const key = keyOf(entry.names);
  let cost = entry.byValues.get(key);
  if (cost === undefined) {
    cost = operationCost(schema, document, operation, variables, opts);
    if (entry.byValues.size >= COSTS_PER_OPERATION) entry.byValues.clear();
    entry.byValues.set(key, cost);
  }
  return cost;
}
