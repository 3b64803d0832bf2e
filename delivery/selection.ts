import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  getNamedType,
  isEnumType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  Kind,
  parse,
  type DocumentNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { accessRulesOf, rulesForField, satisfies, type AccessRules } from '../subgraphs/kit/access';

/**
 * What a consumer's webhook payloads contain (DESIGN §6): the feed query a consumer would be
 * allowed to write itself. From the subgraph's SDL and the `@access` rules (the subgraph's own and
 * the composed supergraph's, i.e. what the subgraph and the gateway enforce), each entity type of a
 * feed is selected with every leaf field the consumer's scopes satisfy, the fields of value objects
 * (e.g. an identity snapshot) likewise, and only the key fields of referenced entities (another
 * record is delivered by its own event). The subgraph still enforces everything — jurisdiction,
 * masking, audit — so a payload carries exactly what the consumer may query, no more.
 */

/** A subgraph's change feed, found in its SDL: the Query field, its event type and entity types. */
export interface FeedShape {
  field: string;
  entityTypes: string[];
}

export interface SubgraphSelector {
  /** The subgraph's feed, or null when it has none (yet). */
  feed: FeedShape | null;
  /** The feed query for a consumer with `scopes`, reading `entityTypes`. */
  feedQuery(scopes: ReadonlySet<string>, entityTypes: readonly string[]): string;
}

const MAX_VALUE_DEPTH = 4;
const keyDirectiveFields = (doc: DocumentNode): Map<string, string> => {
  const keys = new Map<string, string>();
  for (const def of doc.definitions) {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    for (const d of def.directives ?? []) {
      const fields = d.arguments?.find((a) => a.name.value === 'fields')?.value;
      if (d.name.value === 'key' && fields?.kind === Kind.STRING && !keys.has(def.name.value)) {
        keys.set(def.name.value, fields.value);
      }
    }
  }
  return keys;
};

/** The change feed of a subgraph schema: a Query field returning { events: [{ entity: <union> }] }. */
function findFeed(schema: GraphQLSchema): FeedShape | null {
  const query = schema.getQueryType();
  for (const [name, field] of Object.entries(query?.getFields() ?? {})) {
    if (!name.endsWith('Changes')) continue;
    const page = getNamedType(field.type);
    if (!isObjectType(page)) continue;
    const events = page.getFields().events;
    const event = events ? getNamedType(events.type) : undefined;
    const entity = event && isObjectType(event) ? event.getFields().entity : undefined;
    const union = entity ? getNamedType(entity.type) : undefined;
    if (union && isUnionType(union)) return { field: name, entityTypes: union.getTypes().map((t) => t.name) };
  }
  return null;
}

export function createSubgraphSelector(subgraphSdl: string, supergraphSdl?: string): SubgraphSelector {
  const doc = parse(subgraphSdl);
  const schema = buildSubgraphSchema([{ typeDefs: doc }]);
  const ruleSets: AccessRules[] = [
    accessRulesOf(subgraphSdl),
    ...(supergraphSdl ? [accessRulesOf(supergraphSdl)] : []),
  ];
  const keys = keyDirectiveFields(doc);
  const feed = findFeed(schema);

  const allowed = (parent: string, field: string, returnType: string, scopes: ReadonlySet<string>) =>
    ruleSets.every((rules) => {
      const required = rulesForField(rules, parent, field, returnType);
      // unclassified fields are denied by the subgraph's shield: never select them
      return required.length > 0 && satisfies(required, scopes);
    });

  /** The allowed key fields of an entity, or null when any of them is not allowed. */
  const keySelection = (type: GraphQLObjectType, scopes: ReadonlySet<string>): string | null => {
    const key = keys.get(type.name);
    if (!key) return null;
    const set = (parse(`{ ${key} }`).definitions[0] as { selectionSet: SelectionSetNode }).selectionSet;
    const names: string[] = [];
    for (const s of set.selections) {
      if (s.kind !== Kind.FIELD || s.selectionSet) return null; // compound keys are not used here
      const f = type.getFields()[s.name.value];
      if (!f || !allowed(type.name, f.name, getNamedType(f.type).name, scopes)) return null;
      names.push(f.name);
    }
    return names.join(' ');
  };

  const fieldsOf = (type: GraphQLObjectType, scopes: ReadonlySet<string>, seen: readonly string[]): string[] => {
    const out: string[] = [];
    for (const f of Object.values(type.getFields())) {
      if (f.name.startsWith('_') || f.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined)) {
        continue;
      }
      const named = getNamedType(f.type);
      if (!allowed(type.name, f.name, named.name, scopes)) continue;
      if (isScalarType(named) || isEnumType(named)) {
        out.push(f.name);
      } else if (isObjectType(named) && keys.has(named.name)) {
        const key = keySelection(named, scopes);
        if (key) out.push(`${f.name} { ${key} }`);
      } else if (isObjectType(named) && seen.length < MAX_VALUE_DEPTH && !seen.includes(named.name)) {
        const inner = fieldsOf(named, scopes, [...seen, named.name]);
        if (inner.length) out.push(`${f.name} { ${inner.join(' ')} }`);
      }
      // unions and interfaces inside an entity are not delivered
    }
    return out;
  };

  return {
    feed,
    feedQuery: (scopes, entityTypes) => {
      if (!feed) throw new Error('this subgraph has no change feed');
      const fragments = entityTypes
        .map((name) => schema.getType(name))
        .filter((t): t is GraphQLObjectType => isObjectType(t))
        .map((t) => {
          const fields = fieldsOf(t, scopes, [t.name]);
          return fields.length ? ` ... on ${t.name} { ${fields.join(' ')} }` : '';
        })
        .join('');
      return `query WebhookDelivery($after: String, $first: Int, $types: [String!]) {
  ${feed.field}(after: $after, first: $first, entityTypes: $types) {
    events { id entityType entityId kind unitCodes at details entity { __typename${fragments} } }
    endCursor
    hasMore
  }
}`;
    },
  };
}
