import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isNonNullType,
  parse,
  TypeInfo,
  typeFromAST,
  validate,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { Supergraph } from '@apollo/federation-internals';
import type { OperationManifest } from './trusted-documents/manifests';

/** The schema clients see (no join/link machinery) from a composed supergraph. */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
}

export interface BrokenOperation {
  client: string;
  operation: string;
  file: string;
  problems: string[];
}

/** What an operation relies on in a schema: field and argument types, and the input types it sends. */
interface Usage {
  fields: Map<string, string>;
  args: Map<string, string>;
  inputTypes: Set<string>;
}

function usageOf(schema: GraphQLSchema, doc: DocumentNode): Usage {
  const usage: Usage = { fields: new Map(), args: new Map(), inputTypes: new Set() };
  const addInput = (typeName: string) => {
    const type = schema.getType(typeName);
    if (!type || usage.inputTypes.has(typeName) || !(isInputObjectType(type) || isEnumType(type))) return;
    usage.inputTypes.add(typeName);
    if (isInputObjectType(type)) for (const f of Object.values(type.getFields())) addInput(getNamedType(f.type).name);
  };
  const info = new TypeInfo(schema);
  visit(
    doc,
    visitWithTypeInfo(info, {
      Field() {
        const parent = info.getParentType();
        const def = info.getFieldDef();
        if (parent && def && !def.name.startsWith('__'))
          usage.fields.set(`${parent.name}.${def.name}`, String(def.type));
      },
      Argument(node) {
        const parent = info.getParentType();
        const field = info.getFieldDef();
        const arg = info.getArgument();
        if (parent && field && arg) {
          usage.args.set(`${parent.name}.${field.name}(${node.name.value}:)`, String(arg.type));
          addInput(getNamedType(arg.type).name);
        }
      },
      VariableDefinition(node) {
        const type = typeFromAST(schema, node.type);
        if (type) addInput(getNamedType(type).name);
      },
    }),
  );
  return usage;
}

/** Changes between two schemas that break an operation using `usage` but that validation cannot see. */
function diff(usage: Usage, previous: GraphQLSchema, next: GraphQLSchema): string[] {
  const problems: string[] = [];
  const fieldType = (schema: GraphQLSchema, coordinate: string): string | undefined => {
    const [typeName, field] = coordinate.split('.') as [string, string];
    const type = schema.getType(typeName);
    return type && 'getFields' in type ? String(type.getFields()[field]?.type ?? '') || undefined : undefined;
  };
  for (const [coordinate, was] of usage.fields) {
    const now = fieldType(next, coordinate);
    if (now !== undefined && now !== was) problems.push(`${coordinate} changed type from ${was} to ${now}`);
  }
  for (const [coordinate, was] of usage.args) {
    const [typeName, rest] = coordinate.split('.') as [string, string];
    const [field, arg] = rest.replace(':)', '').split('(') as [string, string];
    const type = next.getType(typeName);
    const def = type && 'getFields' in type ? type.getFields()[field] : undefined;
    const now = def && 'args' in def ? def.args.find((a) => a.name === arg) : undefined;
    if (now && String(now.type) !== was)
      problems.push(`argument ${coordinate} changed type from ${was} to ${now.type}`);
  }
  for (const name of usage.inputTypes) {
    const before = previous.getType(name);
    const after = next.getType(name);
    if (!after) {
      problems.push(`input type ${name} was removed`);
    } else if (isInputObjectType(before) && isInputObjectType(after)) {
      const old = before.getFields();
      for (const [f, def] of Object.entries(after.getFields())) {
        if (!old[f] && isNonNullType(def.type) && def.defaultValue === undefined) {
          problems.push(`input ${name}.${f} was added as required (${def.type})`);
        } else if (old[f] && String(old[f].type) !== String(def.type)) {
          problems.push(`input ${name}.${f} changed type from ${old[f].type} to ${def.type}`);
        }
      }
      for (const f of Object.keys(old)) if (!after.getFields()[f]) problems.push(`input ${name}.${f} was removed`);
    } else if (isEnumType(before) && isEnumType(after)) {
      for (const v of before.getValues()) {
        if (!after.getValue(v.name)) problems.push(`enum value ${name}.${v.name} was removed`);
      }
    }
  }
  return problems;
}

/**
 * Every registered consumer operation against a newly composed schema: `validate` (a removed field
 * or type, an unknown or newly required argument, a changed argument type) and, with the schema it
 * replaces, the changes validation cannot see (a field's or argument's type or nullability, the
 * input types it sends). Returns each operation the change would break, with the reasons.
 */
export function checkOperations(
  manifests: Iterable<OperationManifest>,
  next: GraphQLSchema,
  previous?: GraphQLSchema,
): BrokenOperation[] {
  const broken: BrokenOperation[] = [];
  for (const m of manifests) {
    for (const op of m.operations) {
      let problems: string[];
      try {
        const doc = parse(op.body);
        problems = validate(next, doc).map((e) => e.message);
        if (!problems.length && previous && !validate(previous, doc).length) {
          problems = diff(usageOf(previous, doc), previous, next);
        }
      } catch (e) {
        problems = [(e as Error).message];
      }
      if (problems.length) broken.push({ client: m.client, operation: op.name, file: m.file, problems });
    }
  }
  return broken;
}

export function describeBroken(broken: readonly BrokenOperation[]): string {
  return broken
    .map(
      (b) => `  ${b.client}: operation ${b.operation} (${b.file})\n${b.problems.map((p) => `    - ${p}`).join('\n')}`,
    )
    .join('\n');
}
