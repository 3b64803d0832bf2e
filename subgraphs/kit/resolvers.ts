import type { SubgraphResolvers } from './server';

/**
 * Merges resolver maps type by type: a subgraph's own map and the kit's contributions to it (the
 * data-subject sections, the change feed). Scalars are taken whole.
 */
export function mergeResolvers(...maps: SubgraphResolvers[]): SubgraphResolvers {
  const out: Record<string, Record<string, unknown>> = {};
  for (const m of maps) {
    for (const [type, fields] of Object.entries(m)) {
      const existing = out[type];
      // scalars (GraphQLScalarType instances) are taken whole
      out[type] =
        existing && typeof fields === 'object' && !('serialize' in fields)
          ? { ...existing, ...(fields as Record<string, unknown>) }
          : (fields as Record<string, unknown>);
    }
  }
  return out as SubgraphResolvers;
}
