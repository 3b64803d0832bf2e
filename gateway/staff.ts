import type { Principal } from '../subgraphs/kit/principal';
import { isRole, Role } from '../subgraphs/kit/roles';

/** Roles held by client software (apps, feed consumers), not by the centre's people. */
export const CLIENT_ROLES: readonly Role[] = [Role.CONSUMER_APP, Role.DATA_CONSUMER, Role.DATA_CONSUMER_PERSONAL];

/**
 * Staff: a person (principal kind `user`) holding at least one role that is not a client role —
 * centre_admin, data_protection_officer, health_official, checkpoint_officer, analyst,
 * hotline_operator. Staff may introspect in production and run ad-hoc operations.
 */
export function isStaff(principal: Pick<Principal, 'kind' | 'roles'>): boolean {
  return principal.kind === 'user' && principal.roles.some((r) => isRole(r) && !CLIENT_ROLES.includes(r));
}
