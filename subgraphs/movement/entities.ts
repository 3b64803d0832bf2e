import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ADMIN_UNIT_ENTITIES } from '../kit/admin-units/entities';
import { IdempotencyKey } from '../kit/idempotency';

/*
 * The movement subgraph's tables. Enumerations are text guarded by CHECK constraints; every check,
 * index and foreign key is named so the drift test can compare entities with the migrations.
 * Travellers are stored by pseudonym only (`Citizen.ref`, DESIGN §4): never a document number.
 */

export const TRAVEL_MODES = ['PLANE', 'TRAIN', 'COACH', 'SHIP', 'CAR', 'MOTORBIKE', 'OTHER'] as const;
export type TravelMode = (typeof TRAVEL_MODES)[number];

export const MOVEMENT_STATUSES = ['DECLARED', 'APPROVED', 'REJECTED', 'CANCELLED', 'EXPIRED'] as const;
export type MovementStatus = (typeof MOVEMENT_STATUSES)[number];

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/**
 * A declared domestic journey. `status` holds the last decision; EXPIRED is computed on read from
 * `valid_until` (see status.ts), so it is right without a job.
 */
@Entity({ name: 'movement_declaration' })
@Index('ix_movement_declaration_citizen_depart', ['citizenRef', 'departAt'])
@Index('ix_movement_declaration_companions', ['companionRefs'], { type: 'gin' })
@Index('ix_movement_declaration_destination_depart', ['destinationProvinceCode', 'departAt'])
@Index('ix_movement_declaration_destination_district_depart', ['destinationDistrictCode', 'departAt'], {
  where: 'destination_district_code IS NOT NULL',
})
@Index('ix_movement_declaration_destination_ward_depart', ['destinationWardCode', 'departAt'], {
  where: 'destination_ward_code IS NOT NULL',
})
@Index('ix_movement_declaration_origin_depart', ['originProvinceCode', 'departAt'])
@Index('ix_movement_declaration_origin_district_depart', ['originDistrictCode', 'departAt'], {
  where: 'origin_district_code IS NOT NULL',
})
@Index('ix_movement_declaration_origin_ward_depart', ['originWardCode', 'departAt'], {
  where: 'origin_ward_code IS NOT NULL',
})
@Index('ix_movement_declaration_conveyance_depart', ['conveyanceId', 'departAt'])
@Check('ck_movement_declaration_mode', `mode IN (${list(TRAVEL_MODES)})`)
@Check('ck_movement_declaration_status', `status IN (${list(MOVEMENT_STATUSES)})`)
@Check('ck_movement_declaration_times', 'arrive_at IS NULL OR arrive_at >= depart_at')
@Check('ck_movement_declaration_valid_until', 'valid_until >= COALESCE(arrive_at, depart_at)')
export class MovementDeclarationRow {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_movement_declaration' })
  id: string;

  @Column({ name: 'citizen_ref', type: 'text' })
  citizenRef: string;

  /** Pseudonyms of the people travelling with the declarant (never the declarant). */
  @Column({ name: 'companion_refs', type: 'text', array: true })
  companionRefs: string[];

  @Column({ type: 'text' })
  mode: TravelMode;

  /** Normalised: upper-case, no spaces; plates as `29A-123.45` (see conveyance.ts). */
  @Column({ name: 'conveyance_id', type: 'text', nullable: true })
  conveyanceId: string | null;

  @Column({ type: 'text', nullable: true })
  seat: string | null;

  @Column({ name: 'depart_at', type: 'timestamptz', precision: 3 })
  departAt: Date;

  @Column({ name: 'arrive_at', type: 'timestamptz', precision: 3, nullable: true })
  arriveAt: Date | null;

  @Column({ name: 'origin_province_code', type: 'text' })
  originProvinceCode: string;

  @Column({ name: 'origin_district_code', type: 'text', nullable: true })
  originDistrictCode: string | null;

  @Column({ name: 'origin_ward_code', type: 'text', nullable: true })
  originWardCode: string | null;

  /** Street address or place name at the origin, as declared. */
  @Column({ name: 'origin_detail', type: 'text', nullable: true })
  originDetail: string | null;

  @Column({ name: 'destination_province_code', type: 'text' })
  destinationProvinceCode: string;

  @Column({ name: 'destination_district_code', type: 'text', nullable: true })
  destinationDistrictCode: string | null;

  @Column({ name: 'destination_ward_code', type: 'text', nullable: true })
  destinationWardCode: string | null;

  @Column({ name: 'destination_detail', type: 'text', nullable: true })
  destinationDetail: string | null;

  /** Units passed through on the way (any level), in the order declared. */
  @Column({ name: 'transit_unit_codes', type: 'text', array: true })
  transitUnitCodes: string[];

  @Column({ type: 'text', nullable: true })
  purpose: string | null;

  /** The stored status: the last transition. Read the effective one through status.ts. */
  @Column({ type: 'text', default: 'DECLARED' })
  status: MovementStatus;

  @Column({ name: 'valid_until', type: 'timestamptz', precision: 3 })
  validUntil: Date;

  /** The principal (app or user) that declared it. */
  @Column({ name: 'declared_by', type: 'text' })
  declaredBy: string;

  @Column({ name: 'declared_at', type: 'timestamptz', precision: 3, default: () => 'now()' })
  declaredAt: Date;

  /** Who approved or rejected it, when, and why (the approval note or the rejection reason). */
  @Column({ name: 'decided_by', type: 'text', nullable: true })
  decidedBy: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', precision: 3, nullable: true })
  decidedAt: Date | null;

  @Column({ name: 'decision_note', type: 'text', nullable: true })
  decisionNote: string | null;
}

/** One status change of a declaration, its creation included (from = null). Append-only. */
@Entity({ name: 'movement_status_change' })
@Index('ix_movement_status_change_movement', ['movementId', 'id'])
@Check('ck_movement_status_change_from', `from_status IS NULL OR from_status IN (${list(MOVEMENT_STATUSES)})`)
@Check('ck_movement_status_change_to', `to_status IN (${list(MOVEMENT_STATUSES)})`)
export class MovementStatusChangeRow {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'pk_movement_status_change' })
  id: string;

  @Column({ name: 'movement_id', type: 'uuid' })
  movementId: string;

  @ManyToOne(() => MovementDeclarationRow, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'movement_id', foreignKeyConstraintName: 'fk_movement_status_change_movement' })
  movement?: MovementDeclarationRow;

  @Column({ name: 'from_status', type: 'text', nullable: true })
  fromStatus: MovementStatus | null;

  @Column({ name: 'to_status', type: 'text' })
  toStatus: MovementStatus;

  @Column({ name: 'changed_by', type: 'text' })
  changedBy: string;

  @Column({ name: 'changed_at', type: 'timestamptz', precision: 3, default: () => 'now()' })
  changedAt: Date;

  @Column({ type: 'text', nullable: true })
  reason: string | null;
}

export const movementEntities = [
  MovementDeclarationRow,
  MovementStatusChangeRow,
  ...ADMIN_UNIT_ENTITIES,
  IdempotencyKey,
];
