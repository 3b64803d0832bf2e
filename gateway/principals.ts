import { LRUCache } from 'lru-cache';
import type { Jurisdiction, Principal } from '../subgraphs/kit/principal';
import { Scope, scopesForRoles } from '../subgraphs/kit/roles';
import { signInternalToken } from '../subgraphs/kit/internal-token';
import type { SigningKey } from '../subgraphs/kit/keys';

/** What the organisations subgraph says about a subject (its `resolvePrincipal` query). */
export interface PrincipalGrants {
  subject: string;
  userId: string;
  kind: string;
  organisationCode: string | null;
  grants: { role: string; unitCode: string | null; includeDescendants: boolean }[];
}

/** A principal without the per-request parts (request id, purpose). */
export type CallerPrincipal = Omit<Principal, 'requestId' | 'purpose'>;

const RESOLVE_PRINCIPAL = `query ResolvePrincipal($subject: String!) {
  resolvePrincipal(subject: $subject) { subject userId kind organisationCode grants { role unitCode includeDescendants } }
}`;

export const GATEWAY_SUBJECT = 'system:gateway';

export class PrincipalLookupError extends Error {}

/** Turns active grants into a principal: roles, the union of their scopes, and jurisdictions. */
export function principalFromGrants(g: PrincipalGrants): CallerPrincipal {
  const roles = [...new Set(g.grants.map((x) => x.role))].sort();
  const seen = new Set<string>();
  const jurisdictions: Jurisdiction[] = [];
  for (const x of g.grants) {
    const key = `${x.unitCode ?? '*'}|${x.includeDescendants}`;
    if (seen.has(key)) continue;
    seen.add(key);
    jurisdictions.push({ unitCode: x.unitCode, includeDescendants: x.includeDescendants });
  }
  return {
    subject: g.subject,
    kind: g.kind === 'service' ? 'service' : 'user',
    organisationCode: g.organisationCode,
    roles,
    scopes: scopesForRoles(roles),
    jurisdictions,
  };
}

/**
 * Resolves a caller's active grants through the organisations subgraph, called directly with the
 * gateway's own service token. Results are cached briefly (a revoked grant stops working within
 * the cache lifetime) and concurrent lookups of one subject share one call.
 */
export class PrincipalResolver {
  private readonly cache: LRUCache<string, { value: CallerPrincipal | null }>;
  private readonly inflight = new Map<string, Promise<CallerPrincipal | null>>();

  constructor(
    private readonly opts: {
      organisationsUrl: () => string;
      signingKey: () => SigningKey;
      cacheMs: number;
      timeoutMs?: number;
    },
  ) {
    this.cache = new LRUCache({ max: 50_000, ttl: Math.max(1, opts.cacheMs) });
  }

  async resolve(subject: string, requestId: string): Promise<CallerPrincipal | null> {
    if (this.opts.cacheMs > 0) {
      const hit = this.cache.get(subject);
      if (hit) return hit.value;
    }
    let pending = this.inflight.get(subject);
    if (!pending) {
      pending = this.fetch(subject, requestId).finally(() => this.inflight.delete(subject));
      this.inflight.set(subject, pending);
    }
    const value = await pending;
    if (this.opts.cacheMs > 0) this.cache.set(subject, { value });
    return value;
  }

  /** Forgets cached principals (tests, and an admin who must see a revocation at once). */
  clear(): void {
    this.cache.clear();
  }

  private async fetch(subject: string, requestId: string): Promise<CallerPrincipal | null> {
    const token = await signInternalToken(
      this.opts.signingKey(),
      {
        subject: GATEWAY_SUBJECT,
        kind: 'service',
        organisationCode: null,
        roles: [],
        scopes: [Scope.INTERNAL_PRINCIPAL],
        jurisdictions: [{ unitCode: null, includeDescendants: true }],
        purpose: 'resolve caller grants',
        requestId,
      },
      'organisations',
    );
    let res: Response;
    try {
      res = await fetch(this.opts.organisationsUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-request-id': requestId },
        body: JSON.stringify({ query: RESOLVE_PRINCIPAL, variables: { subject } }),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5_000),
      });
    } catch {
      throw new PrincipalLookupError('organisations subgraph unreachable');
    }
    const body = (await res.json().catch(() => null)) as {
      data?: { resolvePrincipal: PrincipalGrants | null };
      errors?: unknown[];
    } | null;
    if (!res.ok || !body?.data || body.errors?.length) {
      throw new PrincipalLookupError(`organisations subgraph answered ${res.status}`);
    }
    const grants = body.data.resolvePrincipal;
    return grants ? principalFromGrants(grants) : null;
  }
}
