import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { ADMIN_UNIT_ENTITIES } from '../kit/admin-units/entities';

/*
 * The organisations subgraph's tables. Enumerations are stored as text guarded by CHECK constraints
 * (adding a value is a one-line migration, unlike a PostgreSQL enum type). Every check, index and
 * foreign key is named so the drift test can compare entities with the hand-written migrations.
 */

export const ORGANISATION_KINDS = [
  'GOVERNMENT_AGENCY',
  'STATE_ENTERPRISE',
  'PRIVATE_COMPANY',
  'PROVINCIAL_AUTHORITY',
  'HEALTH_FACILITY',
  'OTHER',
] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

export const MEMBERSHIP_ROLES = ['DIRECTOR', 'DEPUTY_DIRECTOR', 'STANDING_MEMBER', 'MEMBER', 'ADVISER'] as const;
export type MembershipRole = (typeof MEMBERSHIP_ROLES)[number];

export const USER_KINDS = ['user', 'service'] as const;
export type UserKind = (typeof USER_KINDS)[number];

@Entity({ name: 'organisation' })
@Index('uq_organisation_code', ['code'], { unique: true })
@Index('ix_organisation_parent', ['parentId'])
@Check(
  'ck_organisation_kind',
  "kind IN ('GOVERNMENT_AGENCY', 'STATE_ENTERPRISE', 'PRIVATE_COMPANY', 'PROVINCIAL_AUTHORITY', 'HEALTH_FACILITY', 'OTHER')",
)
export class Organisation {
  @PrimaryGeneratedColumn('uuid', { name: 'id', primaryKeyConstraintName: 'pk_organisation' })
  id: string;

  /** The federation key: stable, never reused. */
  @Column({ type: 'text', name: 'code' })
  code: string;

  @Column({ type: 'text', name: 'name' })
  name: string;

  @Column({ type: 'text', name: 'short_name', nullable: true })
  shortName: string | null;

  @Column({ type: 'text', name: 'kind' })
  kind: OrganisationKind;

  @Column({ type: 'uuid', name: 'parent_id', nullable: true })
  parentId: string | null;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'parent_id', foreignKeyConstraintName: 'fk_organisation_parent' })
  parent?: Organisation;

  @Column({ type: 'text', name: 'created_by' })
  createdBy: string;

  @Column({ type: 'timestamptz', name: 'created_at', default: () => 'now()' })
  createdAt: Date;
}

/** An organisation's membership of the centre, as decided (decision reference and its words). */
@Entity({ name: 'centre_membership' })
@Index('ix_centre_membership_organisation', ['organisationId'])
@Check('ck_centre_membership_role', "role IN ('DIRECTOR', 'DEPUTY_DIRECTOR', 'STANDING_MEMBER', 'MEMBER', 'ADVISER')")
@Check('ck_centre_membership_validity', 'valid_to IS NULL OR valid_to >= valid_from')
export class CentreMembership {
  @PrimaryGeneratedColumn('uuid', { name: 'id', primaryKeyConstraintName: 'pk_centre_membership' })
  id: string;

  @Column({ type: 'uuid', name: 'organisation_id' })
  organisationId: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'fk_centre_membership_organisation' })
  organisation?: Organisation;

  @Column({ type: 'text', name: 'role' })
  role: MembershipRole;

  @Column({ type: 'text', name: 'responsibility' })
  responsibility: string;

  @Column({ type: 'text', name: 'decision_reference' })
  decisionReference: string;

  @Column({ type: 'date', name: 'valid_from' })
  validFrom: string;

  /** Last day of membership (inclusive); null while open. */
  @Column({ type: 'date', name: 'valid_to', nullable: true })
  validTo: string | null;

  @Column({ type: 'text', name: 'created_by' })
  createdBy: string;

  @Column({ type: 'timestamptz', name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'text', name: 'ended_by', nullable: true })
  endedBy: string | null;

  @Column({ type: 'timestamptz', name: 'ended_at', nullable: true })
  endedAt: Date | null;
}

/** A person or a consumer app's service account, known by its identity-provider subject. */
@Entity({ name: 'app_user' })
@Index('uq_app_user_subject', ['subject'], { unique: true })
@Index('ix_app_user_organisation', ['organisationId'])
@Check('ck_app_user_kind', "kind IN ('user', 'service')")
export class AppUser {
  @PrimaryGeneratedColumn('uuid', { name: 'id', primaryKeyConstraintName: 'pk_app_user' })
  id: string;

  @Column({ type: 'text', name: 'subject' })
  subject: string;

  @Column({ type: 'text', name: 'kind' })
  kind: UserKind;

  @Column({ type: 'text', name: 'display_name' })
  displayName: string;

  @Column({ type: 'uuid', name: 'organisation_id', nullable: true })
  organisationId: string | null;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'fk_app_user_organisation' })
  organisation?: Organisation;

  @Column({ type: 'text', name: 'email', nullable: true })
  email: string | null;

  @Column({ type: 'text', name: 'phone', nullable: true })
  phone: string | null;

  @Column({ type: 'boolean', name: 'active', default: true })
  active: boolean;

  @Column({ type: 'text', name: 'created_by' })
  createdBy: string;

  @Column({ type: 'timestamptz', name: 'created_at', default: () => 'now()' })
  createdAt: Date;
}

/** A role held by a user over a jurisdiction (null = national) for a period; revoked, never deleted. */
@Entity({ name: 'role_grant' })
@Index('ix_role_grant_user', ['userId'])
@Check(
  'ck_role_grant_role',
  "role IN ('centre_admin', 'data_protection_officer', 'health_official', 'checkpoint_officer', 'analyst', 'hotline_operator', 'consumer_app', 'data_consumer', 'data_consumer_personal')",
)
@Check('ck_role_grant_validity', 'valid_to IS NULL OR valid_to > valid_from')
export class RoleGrant {
  @PrimaryGeneratedColumn('uuid', { name: 'id', primaryKeyConstraintName: 'pk_role_grant' })
  id: string;

  @Column({ type: 'uuid', name: 'user_id' })
  userId: string;

  @ManyToOne(() => AppUser, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_role_grant_user' })
  user?: AppUser;

  /** A kit/roles.ts role string. */
  @Column({ type: 'text', name: 'role' })
  role: string;

  /** Administrative unit code (not a foreign key: units are versioned); null = national. */
  @Column({ type: 'text', name: 'jurisdiction_code', nullable: true })
  jurisdictionCode: string | null;

  @Column({ type: 'boolean', name: 'include_descendants' })
  includeDescendants: boolean;

  @Column({ type: 'timestamptz', name: 'valid_from' })
  validFrom: Date;

  /** Exclusive end; null while open. */
  @Column({ type: 'timestamptz', name: 'valid_to', nullable: true })
  validTo: Date | null;

  @Column({ type: 'text', name: 'granted_by' })
  grantedBy: string;

  @Column({ type: 'timestamptz', name: 'granted_at', default: () => 'now()' })
  grantedAt: Date;

  @Column({ type: 'text', name: 'revoked_by', nullable: true })
  revokedBy: string | null;

  @Column({ type: 'timestamptz', name: 'revoked_at', nullable: true })
  revokedAt: Date | null;

  @Column({ type: 'text', name: 'revoke_reason', nullable: true })
  revokeReason: string | null;
}

export const DELIVERY_STATES = ['ACTIVE', 'DEAD_LETTER'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/**
 * A system that receives the graph's changes (DESIGN §6): a service client (an `app_user` of kind
 * service, whose role grants give its scopes and jurisdiction) with the entity types it wants and,
 * optionally, a webhook. The signing secret is stored only encrypted (kit/secrets.ts, bound to the
 * consumer id) and never readable after creation; during a rotation the previous secret stays valid
 * until `previous_secret_expires_at` (deliveries carry both signatures meanwhile).
 */
@Entity({ name: 'change_consumer' })
@Index('uq_change_consumer_user', ['userId'], { unique: true })
export class ChangeConsumer {
  @PrimaryGeneratedColumn('uuid', { name: 'id', primaryKeyConstraintName: 'pk_change_consumer' })
  id: string;

  @Column({ type: 'uuid', name: 'user_id' })
  userId: string;

  @ManyToOne(() => AppUser, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_change_consumer_user' })
  user?: AppUser;

  @Column({ type: 'text', name: 'name' })
  name: string;

  @Column({ type: 'text', name: 'entity_types', array: true })
  entityTypes: string[];

  @Column({ type: 'text', name: 'webhook_url', nullable: true })
  webhookUrl: string | null;

  @Column({ type: 'text', name: 'secret_ciphertext', nullable: true })
  secretCiphertext: string | null;

  @Column({ type: 'timestamptz', name: 'secret_created_at', nullable: true })
  secretCreatedAt: Date | null;

  @Column({ type: 'text', name: 'previous_secret_ciphertext', nullable: true })
  previousSecretCiphertext: string | null;

  @Column({ type: 'timestamptz', name: 'previous_secret_expires_at', nullable: true })
  previousSecretExpiresAt: Date | null;

  @Column({ type: 'boolean', name: 'active', default: true })
  active: boolean;

  @Column({ type: 'text', name: 'created_by' })
  createdBy: string;

  @Column({ type: 'timestamptz', name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;
}

/**
 * The delivery worker's state per consumer and feed (one feed per subgraph): the cursor up to which
 * every event was acknowledged by the webhook, failures and the dead-letter state. Operational state
 * like the audit: it produces no outbox events.
 */
@Entity({ name: 'change_delivery' })
@Check('ck_change_delivery_state', "state IN ('ACTIVE', 'DEAD_LETTER')")
export class ChangeDelivery {
  @PrimaryColumn({ type: 'uuid', name: 'consumer_id', primaryKeyConstraintName: 'pk_change_delivery' })
  consumerId: string;

  @PrimaryColumn({ type: 'text', name: 'feed', primaryKeyConstraintName: 'pk_change_delivery' })
  feed: string;

  @ManyToOne(() => ChangeConsumer, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'consumer_id', foreignKeyConstraintName: 'fk_change_delivery_consumer' })
  consumer?: ChangeConsumer;

  /** The feed cursor after the last acknowledged batch (null: from the start of the feed). */
  @Column({ type: 'text', name: 'cursor', nullable: true })
  cursor: string | null;

  @Column({ type: 'text', name: 'state', default: 'ACTIVE' })
  state: DeliveryState;

  /** Consecutive failed attempts of the current batch. */
  @Column({ type: 'integer', name: 'failures', default: 0 })
  failures: number;

  @Column({ type: 'timestamptz', name: 'next_attempt_at', nullable: true })
  nextAttemptAt: Date | null;

  /** A short, non-sensitive description of the last failure (HTTP status, timeout…). */
  @Column({ type: 'text', name: 'last_error', nullable: true })
  lastError: string | null;

  @Column({ type: 'timestamptz', name: 'last_attempt_at', nullable: true })
  lastAttemptAt: Date | null;

  @Column({ type: 'timestamptz', name: 'last_delivered_at', nullable: true })
  lastDeliveredAt: Date | null;

  @Column({ type: 'bigint', name: 'delivered_events', default: 0 })
  deliveredEvents: string;

  /** When the oldest event not yet acknowledged was written (null: nothing pending): the lag. */
  @Column({ type: 'timestamptz', name: 'oldest_pending_at', nullable: true })
  oldestPendingAt: Date | null;

  @Column({ type: 'timestamptz', name: 'dead_lettered_at', nullable: true })
  deadLetteredAt: Date | null;
}

export const ORGANISATIONS_ENTITIES = [
  ...ADMIN_UNIT_ENTITIES,
  Organisation,
  CentreMembership,
  AppUser,
  RoleGrant,
  ChangeConsumer,
  ChangeDelivery,
];
