/**
 * The typed principal every resolver sees. Built once per request from the gateway's signed
 * internal token; resolvers never read raw headers.
 */
export interface Jurisdiction {
  /** Administrative unit code; null means national. */
  unitCode: string | null;
  /** Whether units below `unitCode` are included. */
  includeDescendants: boolean;
}

export type PrincipalKind = 'user' | 'service';

export interface Principal {
  subject: string;
  kind: PrincipalKind;
  organisationCode: string | null;
  roles: readonly string[];
  scopes: readonly string[];
  jurisdictions: readonly Jurisdiction[];
  purpose: string | null;
  requestId: string;
}

export function hasScope(principal: Principal, scope: string): boolean {
  return principal.scopes.includes(scope);
}

export function isNational(principal: Principal): boolean {
  return principal.jurisdictions.some((j) => j.unitCode === null);
}
