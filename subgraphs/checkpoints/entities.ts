import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { ADMIN_UNIT_ENTITIES } from '../kit/admin-units/entities';
import { IdempotencyKey } from '../kit/idempotency';

/*
 * The checkpoints subgraph's tables. Enumerations are text guarded by CHECK constraints, and every
 * check, index and foreign key is named, so the drift test can compare entities with the
 * hand-written migrations.
 */

export const CHECKPOINT_KINDS = [
  'PROVINCIAL_GATEWAY',
  'URBAN_CHECKPOINT',
  'AIRPORT',
  'LAND_BORDER_GATE',
  'SEAPORT',
  'VENUE',
  'HOSPITAL',
  'MARKET',
  'PUBLIC_TRANSPORT',
] as const;
export type CheckpointKind = (typeof CHECKPOINT_KINDS)[number];

export const SCAN_MODES = ['PERSON_SCANS_CODE', 'OPERATOR_SCANS_PERSON', 'CAMERA'] as const;
export type ScanMode = (typeof SCAN_MODES)[number];

export const CHECKPOINT_STATUSES = ['ACTIVE', 'SUSPENDED', 'CLOSED'] as const;
export type CheckpointStatus = (typeof CHECKPOINT_STATUSES)[number];

export const PASSAGE_DIRECTIONS = ['IN', 'OUT'] as const;
export type PassageDirection = (typeof PASSAGE_DIRECTIONS)[number];

export const CREDENTIAL_TYPES = ['PERSONAL_QR', 'PRINTED_QR', 'HEALTH_INSURANCE_QR', 'CHIP_ID_CARD', 'MANUAL'] as const;
export type CredentialType = (typeof CREDENTIAL_TYPES)[number];

export const PASSAGE_DECISIONS = ['ALLOWED', 'TURNED_BACK', 'REFERRED_TO_TESTING', 'REFERRED_TO_QUARANTINE'] as const;
export type PassageDecision = (typeof PASSAGE_DECISIONS)[number];

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/** A quarantine checkpoint or controlled venue, run by an operator organisation. */
@Entity({ name: 'checkpoint' })
@Index('ix_checkpoint_name', ['name', 'id'])
@Index('ix_checkpoint_province_name', ['provinceCode', 'name', 'id'])
@Index('ix_checkpoint_province_status', ['provinceCode', 'status', 'name', 'id'])
@Index('ix_checkpoint_district_status', ['districtCode', 'status', 'name', 'id'])
@Index('ix_checkpoint_ward_status', ['wardCode', 'status', 'name', 'id'])
@Index('ix_checkpoint_operator', ['operatorCode', 'name', 'id'])
@Check('ck_checkpoint_kind', `kind IN (${list(CHECKPOINT_KINDS)})`)
@Check('ck_checkpoint_scan_mode', `scan_mode IN (${list(SCAN_MODES)})`)
@Check('ck_checkpoint_status', `status IN (${list(CHECKPOINT_STATUSES)})`)
@Check('ck_checkpoint_active_period', 'active_to IS NULL OR active_to > active_from')
@Check('ck_checkpoint_position', '(latitude BETWEEN -90 AND 90) AND (longitude BETWEEN -180 AND 180)')
export class CheckpointRow {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_checkpoint' })
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  kind: CheckpointKind;

  @Column({ name: 'province_code', type: 'text' })
  provinceCode: string;

  @Column({ name: 'district_code', type: 'text', nullable: true })
  districtCode: string | null;

  @Column({ name: 'ward_code', type: 'text', nullable: true })
  wardCode: string | null;

  @Column({ type: 'double precision', nullable: true })
  latitude: number | null;

  @Column({ type: 'double precision', nullable: true })
  longitude: number | null;

  /** The operator organisation's code (the organisations subgraph's `Organisation` key). */
  @Column({ name: 'operator_code', type: 'text', nullable: true })
  operatorCode: string | null;

  @Column({ name: 'scan_mode', type: 'text' })
  scanMode: ScanMode;

  @Column({ name: 'active_from', type: 'timestamptz', precision: 3 })
  activeFrom: Date;

  @Column({ name: 'active_to', type: 'timestamptz', precision: 3, nullable: true })
  activeTo: Date | null;

  @Column({ type: 'text', default: 'ACTIVE' })
  status: CheckpointStatus;

  @Column({ name: 'created_by', type: 'text' })
  createdBy: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_by', type: 'text', nullable: true })
  updatedBy: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz', nullable: true })
  updatedAt: Date | null;

  @Column({ name: 'closed_by', type: 'text', nullable: true })
  closedBy: string | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ name: 'close_reason', type: 'text', nullable: true })
  closeReason: string | null;
}

/**
 * A user assigned to operate a checkpoint. Removal ends the assignment (never deleted), so a
 * passage scanned by an operator who has since been removed still names them. At most one open
 * assignment per checkpoint and user.
 */
@Entity({ name: 'checkpoint_operator' })
@Index('uq_checkpoint_operator_open', ['checkpointId', 'userId'], { unique: true, where: 'removed_at IS NULL' })
@Index('ix_checkpoint_operator_user', ['userId'])
@Index('ix_checkpoint_operator_subject', ['operatorSubject', 'checkpointId'], { where: 'removed_at IS NULL' })
export class CheckpointOperatorRow {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_checkpoint_operator' })
  id: string;

  @Column({ name: 'checkpoint_id', type: 'uuid' })
  checkpointId: string;

  @ManyToOne(() => CheckpointRow, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'checkpoint_id', foreignKeyConstraintName: 'fk_checkpoint_operator_checkpoint' })
  checkpoint?: CheckpointRow;

  /** The organisations subgraph's `User` id. */
  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  /**
   * The user's token subject, when the assignment gave it: a checkpoint officer records passages
   * only at checkpoints where an open assignment names their subject.
   */
  @Column({ name: 'operator_subject', type: 'text', nullable: true })
  operatorSubject: string | null;

  @Column({ name: 'assigned_by', type: 'text' })
  assignedBy: string;

  @Column({ name: 'assigned_at', type: 'timestamptz', precision: 3, default: () => 'now()' })
  assignedAt: Date;

  @Column({ name: 'removed_by', type: 'text', nullable: true })
  removedBy: string | null;

  @Column({ name: 'removed_at', type: 'timestamptz', precision: 3, nullable: true })
  removedAt: Date | null;
}

/**
 * One scan of a person at a checkpoint. The person is stored by pseudonym only (DESIGN §4). Scans
 * from offline devices arrive late: `received_at` is when the server stored it, and a device's
 * own id of a scan is stored once, so a retried sync stores nothing twice.
 *
 * The table is partitioned by day of `scanned_at` (migration PartitionPassages; the entity
 * describes the parent). A partitioned table's unique keys include its partition key: the primary
 * key is (id, scanned_at) — ids are random UUIDs, unique on their own — and the device key
 * (device_id, device_passage_id, scanned_at), which a retry (same scan time) still hits; the write
 * path checks the device's ids across all days under a per-device lock (passage-rows.ts).
 */
@Entity({ name: 'passage' })
@Index('ix_passage_checkpoint_scanned', ['checkpointId', 'scannedAt', 'id'])
@Index('ix_passage_citizen_scanned', ['citizenRef', 'scannedAt'])
@Index('ix_passage_movement', ['movementDeclarationId'], { where: 'movement_declaration_id IS NOT NULL' })
@Index('uq_passage_device', ['deviceId', 'devicePassageId', 'scannedAt'], { unique: true })
@Check('ck_passage_direction', `direction IN (${list(PASSAGE_DIRECTIONS)})`)
@Check('ck_passage_credential_type', `credential_type IN (${list(CREDENTIAL_TYPES)})`)
@Check('ck_passage_decision', `decision IN (${list(PASSAGE_DECISIONS)})`)
@Check('ck_passage_device', '(device_id IS NULL) = (device_passage_id IS NULL)')
export class PassageRow {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_passage' })
  id: string;

  @Column({ name: 'checkpoint_id', type: 'uuid' })
  checkpointId: string;

  @ManyToOne(() => CheckpointRow, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'checkpoint_id', foreignKeyConstraintName: 'fk_passage_checkpoint' })
  checkpoint?: CheckpointRow;

  @Column({ name: 'citizen_ref', type: 'text' })
  citizenRef: string;

  @Column({ type: 'text' })
  direction: PassageDirection;

  @PrimaryColumn({ name: 'scanned_at', type: 'timestamptz', precision: 3, primaryKeyConstraintName: 'pk_passage' })
  scannedAt: Date;

  @Column({ name: 'credential_type', type: 'text' })
  credentialType: CredentialType;

  /** The movement subgraph's `MovementDeclaration` id, when one was shown. */
  @Column({ name: 'movement_declaration_id', type: 'uuid', nullable: true })
  movementDeclarationId: string | null;

  @Column({ name: 'vehicle_plate', type: 'text', nullable: true })
  vehiclePlate: string | null;

  @Column({ type: 'text' })
  decision: PassageDecision;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  /** The organisations subgraph's `User` id of the operator who scanned (an assigned operator). */
  @Column({ name: 'operator_user_id', type: 'uuid', nullable: true })
  operatorUserId: string | null;

  @Column({ name: 'device_id', type: 'text', nullable: true })
  deviceId: string | null;

  @Column({ name: 'device_passage_id', type: 'text', nullable: true })
  devicePassageId: string | null;

  @Column({ name: 'received_at', type: 'timestamptz', precision: 3, default: () => 'now()' })
  receivedAt: Date;

  /** The principal (subject) that sent it to the graph. */
  @Column({ name: 'recorded_by', type: 'text' })
  recordedBy: string;
}

export const checkpointsEntities = [
  ...ADMIN_UNIT_ENTITIES,
  IdempotencyKey,
  CheckpointRow,
  CheckpointOperatorRow,
  PassageRow,
];
