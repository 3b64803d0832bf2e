import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

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

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/** A quarantine checkpoint or controlled venue, run by an operator organisation. */
@Entity({ name: 'checkpoint' })
@Index('ix_checkpoint_name', ['name', 'id'])
@Index('ix_checkpoint_province_name', ['provinceCode', 'name', 'id'])
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
}

export const checkpointsEntities = [CheckpointRow];
