import { forbidden } from './errors';
import type { Principal } from './principal';

/**
 * Coarse checks used by resolvers until the schema-driven rules (the `@access` directive applied by
 * graphql-shield) take over; they stay as defence in depth for writes.
 * `anyOf` follows the directive's semantics: [[a, b], [c]] means (a and b) or c.
 */
export function requireScopes(principal: Principal, anyOf: readonly (readonly string[])[]): void {
  const ok = anyOf.some((all) => all.every((s) => principal.scopes.includes(s)));
  if (!ok) throw forbidden(`Requires scope ${anyOf.map((all) => all.join(' and ')).join(' or ')}`);
}

export function requireScope(principal: Principal, scope: string): void {
  requireScopes(principal, [[scope]]);
}
