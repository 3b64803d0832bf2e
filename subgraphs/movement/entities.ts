import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const TRAVEL_MODES = ['PLANE', 'TRAIN', 'COACH', 'SHIP', 'CAR', 'MOTORBIKE', 'OTHER'] as const;
export type TravelMode = (typeof TRAVEL_MODES)[number];

export const MOVEMENT_STATUSES = ['DECLARED', 'APPROVED', 'REJECTED', 'CANCELLED', 'EXPIRED'] as const;
export type MovementStatus = (typeof MOVEMENT_STATUSES)[number];

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/** A declared domestic journey. The traveller is stored by pseudonym only (DESIGN §4). */
@Entity({ name: 'movement_declaration' })
@Index('ix_movement_declaration_citizen_depart', ['citizenRef', 'departAt'])
@Index('ix_movement_declaration_destination_depart', ['destinationProvinceCode', 'departAt'])
@Index('ix_movement_declaration_conveyance_depart', ['conveyanceId', 'departAt'])
@Check('ck_movement_declaration_mode', `mode IN (${list(TRAVEL_MODES)})`)
@Check('ck_movement_declaration_status', `status IN (${list(MOVEMENT_STATUSES)})`)
@Check('ck_movement_declaration_times', 'arrive_at IS NULL OR arrive_at >= depart_at')
export class MovementDeclarationRow {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_movement_declaration' })
  id: string;

  @Column({ name: 'citizen_ref', type: 'text' })
  citizenRef: string;

  @Column({ type: 'text' })
  mode: TravelMode;

  @Column({ name: 'conveyance_id', type: 'text', nullable: true })
  conveyanceId: string | null;

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

  @Column({ name: 'destination_province_code', type: 'text' })
  destinationProvinceCode: string;

  @Column({ name: 'destination_district_code', type: 'text', nullable: true })
  destinationDistrictCode: string | null;

  @Column({ name: 'destination_ward_code', type: 'text', nullable: true })
  destinationWardCode: string | null;

  @Column({ type: 'text', default: 'DECLARED' })
  status: MovementStatus;
}

export const movementEntities = [MovementDeclarationRow];
