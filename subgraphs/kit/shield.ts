import { applyMiddleware } from 'graphql-middleware';
import { allow, rule, shield } from 'graphql-shield';
import type { IRules } from 'graphql-shield';
import { getNamedType, isObjectType, type GraphQLSchema } from 'graphql';
import { accessRulesOf, rulesForField, satisfies, type AccessRule } from './access';
import { forbidden } from './errors';
import type { SubgraphContext } from './server';

/** Federation plumbing: the gateway needs these; what they return is guarded field by field. */
const FEDERATION_ALLOWED: Record<string, string[]> = {
  Query: ['_service', '_entities'],
  _Service: ['sdl'],
};

/**
 * graphql-shield rules generated from the same `@access` directives the gateway enforces
 * (defence in depth, DESIGN §5.5): every field gets the scopes of its own rules, its return type
 * and its parent type; anything not generated is denied (`fallbackRule`), so a new field without
 * a classification is unreachable rather than open. Scope checks depend only on the request's
 * principal, so they are cached per request ('contextual'); record-level rules live in the loaders.
 */
export function accessShield(sdl: string, schema: GraphQLSchema): IRules {
  const rules = accessRulesOf(sdl);
  const byKey = new Map<string, ReturnType<ReturnType<typeof rule>>>();
  const scopeRule = (required: AccessRule[]) => {
    const key = JSON.stringify(required);
    let r = byKey.get(key);
    if (!r) {
      r = rule(`access:${byKey.size}`, { cache: 'contextual' })((_parent, _args, ctx: SubgraphContext) =>
        satisfies(required, new Set(ctx.principal.scopes)),
      );
      byKey.set(key, r);
    }
    return r;
  };
  const tree: Record<string, Record<string, ReturnType<typeof scopeRule> | typeof allow>> = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const fields: Record<string, ReturnType<typeof scopeRule> | typeof allow> = {};
    for (const [name, field] of Object.entries(type.getFields())) {
      if (FEDERATION_ALLOWED[type.name]?.includes(name)) {
        fields[name] = allow;
        continue;
      }
      const required = rulesForField(rules, type.name, name, getNamedType(field.type).name);
      // An unclassified field is left to the fallback rule: denied.
      if (required.length) fields[name] = scopeRule(required);
    }
    if (Object.keys(fields).length) tree[type.name] = fields;
  }
  return tree;
}

/** Applies the generated rules: unknown fields denied, validation/conflict errors kept as thrown. */
export function applyAccessShield(sdl: string, schema: GraphQLSchema): GraphQLSchema {
  const permissions = shield(accessShield(sdl, schema), {
    fallbackRule: rule('deny-unclassified', { cache: 'strict' })(() => false),
    allowExternalErrors: true,
    fallbackError: forbidden('Not authorised'),
  });
  return applyMiddleware(schema, permissions);
}
