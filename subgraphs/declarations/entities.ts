import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

export const DECLARATION_KINDS = ['ENTRY', 'UNIVERSAL', 'DOMESTIC_TRAVEL', 'DAILY_MONITORING'] as const;
export type DeclarationKind = (typeof DECLARATION_KINDS)[number];

/** A person known by pseudonym only (DESIGN §4); the raw identity number is never stored as a key. */
@Entity({ name: 'citizen' })
export class CitizenRow {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_citizen' })
  ref: string;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3, default: () => 'now()' })
  createdAt: Date;
}

@Entity({ name: 'health_declaration' })
@Index('ix_health_declaration_citizen_submitted', ['citizenRef', 'submittedAt'])
@Index('ix_health_declaration_province_submitted', ['provinceCode', 'submittedAt'])
@Check('ck_health_declaration_kind', `kind IN (${DECLARATION_KINDS.map((k) => `'${k}'`).join(', ')})`)
export class HealthDeclarationRow {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_health_declaration' })
  id: string;

  @Column({ name: 'citizen_ref', type: 'text' })
  citizenRef: string;

  @ManyToOne(() => CitizenRow, { nullable: false, onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'citizen_ref', foreignKeyConstraintName: 'fk_health_declaration_citizen' })
  citizen?: CitizenRow;

  @Column({ type: 'text' })
  kind: DeclarationKind;

  @Column({ name: 'questionnaire_version', type: 'text' })
  questionnaireVersion: string;

  @Column({ type: 'text' })
  channel: string;

  @Column({ name: 'submitted_at', type: 'timestamptz', precision: 3 })
  submittedAt: Date;

  @Column({ name: 'province_code', type: 'text', nullable: true })
  provinceCode: string | null;

  @Column({ name: 'district_code', type: 'text', nullable: true })
  districtCode: string | null;

  @Column({ name: 'ward_code', type: 'text', nullable: true })
  wardCode: string | null;

  @Column({ name: 'full_name', type: 'text' })
  fullName: string;
}

export const declarationsEntities = [CitizenRow, HealthDeclarationRow];
