import { JSONObjectResolver } from 'graphql-scalars';
import { requireScope } from './authz';
import { readChanges, type ChangeEvent, type ChangeQuery } from './outbox';
import { requirePurpose } from './purpose';
import type { Scope } from './roles';
import type { SubgraphContext, SubgraphResolvers } from './server';

/**
 * A subgraph's change feed through the graph (DESIGN §6): `<feed>(after, first, entityTypes)` pages
 * the subgraph's outbox in commit-safe batches (kit/outbox.ts) for the caller's jurisdiction, and
 * each event's `entity` is the record as it is now, loaded the way an entity join loads it — so the
 * caller gets exactly the fields, records and masking the graph gives them anywhere else, and their
 * reads are audited. One feed per subgraph: each has its own positions, so a consumer keeps one
 * cursor per feed.
 */
export interface ChangeFeedSpec {
  /** The Query field, e.g. `checkpointChanges`. */
  field: string;
  /** The event type, e.g. `CheckpointChange`. */
  eventType: string;
  /** The union of the entity types, e.g. `CheckpointEventEntity`. */
  entityUnion: string;
  /** The scope the feed needs (the subgraph's read scope). */
  readScope: Scope;
  /** How to load each entity type by id for the caller (jurisdiction and masking applied), null if none. */
  entities: Record<string, (id: string, ctx: SubgraphContext) => Promise<unknown> | unknown>;
}

export function changeFeedResolvers(spec: ChangeFeedSpec): SubgraphResolvers {
  const types = Object.keys(spec.entities);
  // which union member a loaded record is (records are the subgraph's row objects)
  const typeOf = new WeakMap<object, string>();
  return {
    JSONObject: JSONObjectResolver,
    Query: {
      [spec.field]: (_: unknown, a: ChangeQuery, ctx: SubgraphContext) => {
        requireScope(ctx.principal, spec.readScope);
        requirePurpose(ctx.principal, 'A change feed');
        return readChanges(ctx.db, ctx.principal, a, types);
      },
    },
    [spec.eventType]: {
      entity: async (e: ChangeEvent, _: unknown, ctx: SubgraphContext) => {
        if (e.kind === 'DELETED' || e.kind === 'PURGED') return null;
        const load = spec.entities[e.entityType];
        const row: unknown = load ? await load(e.entityId, ctx) : null;
        if (row === null || row === undefined || typeof row !== 'object') return null;
        typeOf.set(row, e.entityType);
        return row;
      },
    },
    [spec.entityUnion]: {
      __resolveType: (row: object) => typeOf.get(row) ?? null,
    },
  } as SubgraphResolvers;
}

/**
 * An entity type's loader for a feed: the resolver map's own `__resolveReference`, so a payload is
 * loaded exactly as an entity join from another subgraph loads it (jurisdiction and masking).
 */
export function byReference(
  resolvers: SubgraphResolvers,
  type: string,
  key = 'id',
): (id: string, ctx: SubgraphContext) => unknown {
  const resolve = (resolvers[type] as { __resolveReference?: (ref: object, ctx: SubgraphContext) => unknown })
    ?.__resolveReference;
  if (!resolve) throw new Error(`${type} has no __resolveReference`);
  return (id, ctx) => resolve({ [key]: id }, ctx);
}
