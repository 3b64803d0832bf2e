import type { CentreMembership, RoleGrant } from './entities';

/** In force at `now`: not revoked, and validFrom <= now < validTo (or open). */
export function isGrantActive(g: RoleGrant, now: Date): boolean {
  const t = now.getTime();
  return !g.revokedAt && g.validFrom.getTime() <= t && (g.validTo === null || t < g.validTo.getTime());
}

/** In force on a calendar day (YYYY-MM-DD): the end day is inclusive. */
export function isMembershipActive(m: CentreMembership, day: string): boolean {
  return m.validFrom <= day && (m.validTo === null || day <= m.validTo);
}
