/**
 * Roles map to scopes here and nowhere else (the README's table is generated from this file's
 * content by hand; a test keeps them in step).
 */
export const Role = {
  CENTRE_ADMIN: 'centre_admin',
  DATA_PROTECTION_OFFICER: 'data_protection_officer',
  HEALTH_OFFICIAL: 'health_official',
  CHECKPOINT_OFFICER: 'checkpoint_officer',
  ANALYST: 'analyst',
  HOTLINE_OPERATOR: 'hotline_operator',
  CONSUMER_APP: 'consumer_app',
  /** A feed consumer (service client): reads the change feeds, masked (no personal scopes). */
  DATA_CONSUMER: 'data_consumer',
  /** A feed consumer entitled to personal and sensitive fields. */
  DATA_CONSUMER_PERSONAL: 'data_consumer_personal',
} as const;
export type Role = (typeof Role)[keyof typeof Role];
export const ROLES: readonly Role[] = Object.values(Role);

export const Scope = {
  ORG_READ: 'org:read',
  ORG_WRITE: 'org:write',
  GRANTS_READ: 'grants:read',
  GRANTS_WRITE: 'grants:write',
  PII_READ: 'pii:read',
  SENSITIVE_READ: 'sensitive:read',
  RESTRICTED_READ: 'restricted:read',
  DECLARATIONS_READ: 'declarations:read',
  DECLARATIONS_WRITE: 'declarations:write',
  MOVEMENT_READ: 'movement:read',
  MOVEMENT_WRITE: 'movement:write',
  MOVEMENT_DECIDE: 'movement:decide',
  CHECKPOINTS_READ: 'checkpoints:read',
  CHECKPOINTS_WRITE: 'checkpoints:write',
  PASSAGES_WRITE: 'passages:write',
  FEEDBACK_READ: 'feedback:read',
  FEEDBACK_WRITE: 'feedback:write',
  FEEDBACK_HANDLE: 'feedback:handle',
  STATS_READ: 'stats:read',
  AUDIT_READ: 'audit:read',
  DSR_MANAGE: 'dsr:manage',
  CONSUMERS_READ: 'consumers:read',
  CONSUMERS_WRITE: 'consumers:write',
  /** Held only by the gateway's own service principal, to resolve callers' grants. */
  INTERNAL_PRINCIPAL: 'internal:principal',
} as const;
export type Scope = (typeof Scope)[keyof typeof Scope];

const S = Scope;
export const ROLE_SCOPES: Readonly<Record<Role, readonly Scope[]>> = {
  centre_admin: [
    S.ORG_READ,
    S.ORG_WRITE,
    S.GRANTS_READ,
    S.GRANTS_WRITE,
    S.PII_READ,
    S.CHECKPOINTS_READ,
    S.STATS_READ,
    S.CONSUMERS_READ,
    S.CONSUMERS_WRITE,
  ],
  data_protection_officer: [
    S.ORG_READ,
    S.GRANTS_READ,
    S.AUDIT_READ,
    S.DSR_MANAGE,
    S.DECLARATIONS_READ,
    S.MOVEMENT_READ,
    S.CHECKPOINTS_READ,
    S.FEEDBACK_READ,
  ],
  health_official: [
    S.ORG_READ,
    S.PII_READ,
    S.SENSITIVE_READ,
    S.DECLARATIONS_READ,
    S.DECLARATIONS_WRITE,
    S.MOVEMENT_READ,
    S.MOVEMENT_DECIDE,
    S.CHECKPOINTS_READ,
    S.CHECKPOINTS_WRITE,
    S.FEEDBACK_READ,
    S.FEEDBACK_HANDLE,
    S.STATS_READ,
  ],
  checkpoint_officer: [
    S.ORG_READ,
    S.PII_READ,
    S.DECLARATIONS_READ,
    S.MOVEMENT_READ,
    S.CHECKPOINTS_READ,
    S.PASSAGES_WRITE,
  ],
  analyst: [S.ORG_READ, S.STATS_READ],
  hotline_operator: [S.ORG_READ, S.PII_READ, S.RESTRICTED_READ, S.FEEDBACK_READ, S.FEEDBACK_WRITE, S.FEEDBACK_HANDLE],
  consumer_app: [S.ORG_READ, S.DECLARATIONS_WRITE, S.MOVEMENT_WRITE, S.FEEDBACK_WRITE],
  data_consumer: [S.ORG_READ, S.DECLARATIONS_READ, S.MOVEMENT_READ, S.CHECKPOINTS_READ, S.FEEDBACK_READ],
  data_consumer_personal: [
    S.ORG_READ,
    S.DECLARATIONS_READ,
    S.MOVEMENT_READ,
    S.CHECKPOINTS_READ,
    S.FEEDBACK_READ,
    S.PII_READ,
    S.SENSITIVE_READ,
  ],
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** The union of the scopes of the given roles, sorted, without duplicates. */
export function scopesForRoles(roles: Iterable<string>): Scope[] {
  const out = new Set<Scope>();
  for (const r of roles) if (isRole(r)) for (const s of ROLE_SCOPES[r]) out.add(s);
  return [...out].sort();
}
