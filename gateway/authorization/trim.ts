import {
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  getDirectiveValues,
  getNamedType,
  isAbstractType,
  isCompositeType,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';

/** The placeholder alias kept in a selection set whose every field was removed. */
export const PLACEHOLDER = '__trim';
/** The alias under which the concrete type of an abstract position is fetched. */
export const TYPENAME = '__trim_typename';

export interface Removal {
  /** Response keys from the root, list indices collapsed. */
  path: string[];
  /** `Type.field` that the caller may not read. */
  coordinate: string;
}

export interface Trimmed {
  /** The operation with fragments inlined, as the caller sent it (for completing the result). */
  original: OperationDefinitionNode;
  /** What runs: the operation without the removed fields; null when nothing is left to run. */
  document: DocumentNode | null;
  removals: Removal[];
  /** The removed field nodes of `original`. */
  removedNodes: ReadonlySet<FieldNode>;
}

export type FieldCheck = (parentType: string, field: string, returnType: string) => boolean;

/** Whether @skip/@include keep a selection, for the request's variables. */
export function included(node: SelectionNode, variables: Readonly<Record<string, unknown>>): boolean {
  const skip = getDirectiveValues(GraphQLSkipDirective, node, variables as Record<string, unknown>);
  if (skip?.if === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node, variables as Record<string, unknown>);
  return include?.if !== false;
}

function selectOperation(doc: DocumentNode, name: string | null): OperationDefinitionNode {
  const ops = doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const op = name ? ops.find((o) => o.name?.value === name) : ops.length === 1 ? ops[0] : undefined;
  if (!op) {
    // Apollo Server executes a gateway's documents without choosing the operation: refuse here, as
    // graphql-js would, with a 400 (not an internal error).
    throw new GraphQLError(
      name
        ? `Unknown operation named "${name}".`
        : 'Must provide operation name if query contains multiple operations.',
      { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } },
    );
  }
  return op;
}

/** Replaces fragment spreads by inline fragments, so every field node has one position. */
function inlineFragments(op: OperationDefinitionNode, doc: DocumentNode): OperationDefinitionNode {
  const fragments = new Map(
    doc.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((f) => [f.name.value, f]),
  );
  const inlineSet = (set: SelectionSetNode): SelectionSetNode => ({
    ...set,
    selections: set.selections.map((s): SelectionNode => {
      if (s.kind === Kind.FRAGMENT_SPREAD) {
        const f = fragments.get(s.name.value);
        if (!f) return s;
        return {
          kind: Kind.INLINE_FRAGMENT,
          typeCondition: f.typeCondition,
          directives: s.directives,
          selectionSet: inlineSet(f.selectionSet),
        };
      }
      return s.selectionSet ? { ...s, selectionSet: inlineSet(s.selectionSet) } : s;
    }),
  });
  return { ...op, selectionSet: inlineSet(op.selectionSet) };
}

const field = (name: string, alias?: string): FieldNode => ({
  kind: Kind.FIELD,
  name: { kind: Kind.NAME, value: name },
  ...(alias ? { alias: { kind: Kind.NAME, value: alias } } : {}),
});

/**
 * Removes from an operation every field the caller may not read (DESIGN §5.4). Works on the
 * operation with fragments inlined; a selection set left empty keeps a `__typename` placeholder so
 * the parent keeps its shape, and abstract positions fetch their concrete type for completion.
 */
export function trimOperation(
  schema: GraphQLSchema,
  doc: DocumentNode,
  operationName: string | null,
  variables: Readonly<Record<string, unknown>>,
  allowed: FieldCheck,
): Trimmed {
  const original = inlineFragments(selectOperation(doc, operationName), doc);
  const removals: Removal[] = [];
  const removedNodes = new Set<FieldNode>();
  const seen = new Set<string>();

  const trimSet = (set: SelectionSetNode, parent: GraphQLCompositeType, path: string[]): SelectionNode[] => {
    const out: SelectionNode[] = [];
    for (const s of set.selections) {
      if (!included(s, variables)) {
        out.push(s); // skipped at execution anyway: neither checked nor reported
        continue;
      }
      if (s.kind === Kind.INLINE_FRAGMENT) {
        const cond = s.typeCondition ? schema.getType(s.typeCondition.name.value) : parent;
        if (!cond || !isCompositeType(cond)) continue;
        const inner = trimSet(s.selectionSet, cond, path);
        if (inner.length) out.push({ ...s, selectionSet: { ...s.selectionSet, selections: inner } });
        continue;
      }
      if (s.kind !== Kind.FIELD) continue;
      const name = s.name.value;
      if (name.startsWith('__') || !('getFields' in parent)) {
        out.push(s);
        continue;
      }
      const def = parent.getFields()[name];
      if (!def) continue;
      const key = s.alias?.value ?? name;
      const named = getNamedType(def.type);
      if (!allowed(parent.name, name, named.name)) {
        removedNodes.add(s);
        const removal = { path: [...path, key], coordinate: `${parent.name}.${name}` };
        const id = `${removal.path.join('.')}|${removal.coordinate}`;
        if (!seen.has(id)) {
          seen.add(id);
          removals.push(removal);
        }
        continue;
      }
      if (!s.selectionSet || !isCompositeType(named)) {
        out.push(s);
        continue;
      }
      const inner = trimSet(s.selectionSet, named, [...path, key]);
      const selections = inner.length ? inner : [field('__typename', PLACEHOLDER)];
      if (isAbstractType(named)) selections.push(field('__typename', TYPENAME));
      out.push({ ...s, selectionSet: { ...s.selectionSet, selections } });
    }
    return out;
  };

  const root = schema.getRootType(original.operation);
  if (!root) throw new Error(`no ${original.operation} type`);
  const selections = trimSet(original.selectionSet, root, []);
  if (!removals.length) return { original, document: doc, removals, removedNodes };
  if (!selections.length) return { original, document: null, removals, removedNodes };

  const trimmedOp: OperationDefinitionNode = { ...original, selectionSet: { ...original.selectionSet, selections } };
  return {
    original,
    document: withoutUnusedVariables({ kind: Kind.DOCUMENT, definitions: [trimmedOp] }),
    removals,
    removedNodes,
  };
}

/** Drops variable definitions that no remaining field uses (unused variables are invalid). */
function withoutUnusedVariables(doc: DocumentNode): DocumentNode {
  const used = new Set<string>();
  const op = doc.definitions[0] as OperationDefinitionNode;
  visit(op.selectionSet, {
    Variable(node) {
      used.add(node.name.value);
    },
  });
  for (const d of op.directives ?? []) {
    visit(d, {
      Variable(node) {
        used.add(node.name.value);
      },
    });
  }
  const variableDefinitions = (op.variableDefinitions ?? []).filter((v) => used.has(v.variable.name.value));
  return { ...doc, definitions: [{ ...op, variableDefinitions }] };
}
