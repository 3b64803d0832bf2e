import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { ADMIN_UNIT_ENTITIES } from '../kit/admin-units/entities';
import { IdempotencyKey } from '../kit/idempotency';

/*
 * The feedback subgraph's tables. Enumerations are text guarded by named CHECK constraints, and
 * every index and constraint is named, so the drift test can compare entities with the migrations.
 */

export const FEEDBACK_CHANNELS = ['APP', 'HOTLINE', 'WEB', 'OTHER'] as const;
export type FeedbackChannel = (typeof FEEDBACK_CHANNELS)[number];

export const FEEDBACK_CATEGORIES = [
  'VIOLATION',
  'SUSPECTED_CASE',
  'ARRIVAL_FROM_OUTBREAK_AREA',
  'QUARANTINE_BREACH',
  'SUPPORT_REQUEST',
  'MEDICAL_ADVICE',
  'PRICE_GOUGING_OR_FRAUD',
  'FALSE_INFORMATION',
  'APP_PROBLEM',
  'OTHER',
] as const;
export type FeedbackCategory = (typeof FEEDBACK_CATEGORIES)[number];

export const FEEDBACK_STATUSES = ['RECEIVED', 'ASSIGNED', 'IN_PROGRESS', 'RESOLVED', 'REJECTED', 'DUPLICATE'] as const;
export type FeedbackStatus = (typeof FEEDBACK_STATUSES)[number];

export const REPORTER_KINDS = ['CITIZEN', 'PHONE', 'ANONYMOUS'] as const;
export type ReporterKind = (typeof REPORTER_KINDS)[number];

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');
const OPEN = `status IN ('RECEIVED', 'ASSIGNED', 'IN_PROGRESS')`;

/** A citizen's report or request, routed to a locality and (once assigned) an organisation. */
@Entity({ name: 'feedback' })
@Index('ix_feedback_reported', ['reportedAt', 'id'])
@Index('ix_feedback_status_reported', ['status', 'reportedAt', 'id'])
@Index('ix_feedback_category_reported', ['category', 'reportedAt', 'id'])
@Index('ix_feedback_province_reported', ['provinceCode', 'reportedAt', 'id'])
@Index('ix_feedback_district_reported', ['districtCode', 'reportedAt', 'id'])
@Index('ix_feedback_ward_reported', ['wardCode', 'reportedAt', 'id'])
@Index('ix_feedback_assignee_reported', ['assigneeCode', 'reportedAt', 'id'])
@Index('ix_feedback_assignee_status_reported', ['assigneeCode', 'status', 'reportedAt', 'id'])
@Index('ix_feedback_open_due', ['dueAt', 'id'], { where: OPEN })
@Index('ix_feedback_assignee_open_due', ['assigneeCode', 'dueAt', 'id'], { where: OPEN })
@Index('ix_feedback_duplicate_of', ['duplicateOf'])
@Check('ck_feedback_channel', `channel IN (${list(FEEDBACK_CHANNELS)})`)
@Check('ck_feedback_category', `category IN (${list(FEEDBACK_CATEGORIES)})`)
@Check('ck_feedback_status', `status IN (${list(FEEDBACK_STATUSES)})`)
@Check('ck_feedback_reporter_kind', `reporter_kind IN (${list(REPORTER_KINDS)})`)
@Check(
  'ck_feedback_reporter',
  `(reporter_kind = 'CITIZEN' AND reporter_ref IS NOT NULL AND reporter_phone IS NULL)
    OR (reporter_kind = 'PHONE' AND reporter_phone IS NOT NULL AND reporter_ref IS NULL)
    OR (reporter_kind = 'ANONYMOUS' AND reporter_ref IS NULL AND reporter_phone IS NULL)`,
)
@Check('ck_feedback_duplicate_of', `duplicate_of IS NULL OR (status = 'DUPLICATE' AND duplicate_of <> id)`)
@Check('ck_feedback_resolution', `status <> 'RESOLVED' OR resolution IS NOT NULL`)
@Check('ck_feedback_coordinates', `(location_latitude IS NULL) = (location_longitude IS NULL)`)
export class FeedbackRow {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_feedback' })
  id: string;

  @Column({ type: 'text' })
  channel: FeedbackChannel;

  @Column({ type: 'text' })
  category: FeedbackCategory;

  /** Free text from a citizen: personal data; never logged. */
  @Column({ type: 'text' })
  description: string;

  @Column({ name: 'province_code', type: 'text', nullable: true })
  provinceCode: string | null;

  @Column({ name: 'district_code', type: 'text', nullable: true })
  districtCode: string | null;

  @Column({ name: 'ward_code', type: 'text', nullable: true })
  wardCode: string | null;

  /** Where it happened, as described (street, building…). */
  @Column({ name: 'location_address', type: 'text', nullable: true })
  locationAddress: string | null;

  @Column({ name: 'location_latitude', type: 'double precision', nullable: true })
  locationLatitude: number | null;

  @Column({ name: 'location_longitude', type: 'double precision', nullable: true })
  locationLongitude: number | null;

  /** When the citizen reported it (a hotline may enter a call later). */
  @Column({ name: 'reported_at', type: 'timestamptz', precision: 3 })
  reportedAt: Date;

  /** When the centre recorded it. */
  @Column({ name: 'recorded_at', type: 'timestamptz', precision: 3, default: () => 'now()' })
  recordedAt: Date;

  @Column({ name: 'reporter_kind', type: 'text' })
  reporterKind: ReporterKind;

  /** `Citizen.ref` of the reporter (never the identity number). */
  @Column({ name: 'reporter_ref', type: 'text', nullable: true })
  reporterRef: string | null;

  /** Digits with an optional leading +; never logged. */
  @Column({ name: 'reporter_phone', type: 'text', nullable: true })
  reporterPhone: string | null;

  /** `Citizen.ref` of the person the report is about, if named. */
  @Column({ name: 'reported_ref', type: 'text', nullable: true })
  reportedRef: string | null;

  @Column({ type: 'text', default: 'RECEIVED' })
  status: FeedbackStatus;

  /** `Organisation.code` (owned by the organisations subgraph). */
  @Column({ name: 'assignee_code', type: 'text', nullable: true })
  assigneeCode: string | null;

  @Column({ name: 'assignee_unit_code', type: 'text', nullable: true })
  assigneeUnitCode: string | null;

  /** reportedAt + the category's deadline (workflow.ts). */
  @Column({ name: 'due_at', type: 'timestamptz', precision: 3 })
  dueAt: Date;

  @Column({ type: 'text', nullable: true })
  resolution: string | null;

  @Column({ name: 'duplicate_of', type: 'uuid', nullable: true })
  duplicateOf: string | null;

  @ManyToOne(() => FeedbackRow, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'duplicate_of', foreignKeyConstraintName: 'fk_feedback_duplicate_of' })
  original?: FeedbackRow;
}

/** One change of a feedback item (submission, assignment, status change): append-only. */
@Entity({ name: 'feedback_change' })
@Check('ck_feedback_change_from', `from_status IS NULL OR from_status IN (${list(FEEDBACK_STATUSES)})`)
@Check('ck_feedback_change_to', `to_status IN (${list(FEEDBACK_STATUSES)})`)
export class FeedbackChangeRow {
  @PrimaryColumn({ name: 'feedback_id', type: 'uuid', primaryKeyConstraintName: 'pk_feedback_change' })
  feedbackId: string;

  /** 1 for the submission, then one more per change (taken under the feedback row's lock). */
  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'pk_feedback_change' })
  seq: number;

  @ManyToOne(() => FeedbackRow, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'feedback_id', foreignKeyConstraintName: 'fk_feedback_change_feedback' })
  feedback?: FeedbackRow;

  @Column({ type: 'timestamptz', precision: 3 })
  at: Date;

  /** The principal's subject. */
  @Column({ type: 'text' })
  actor: string;

  /** Null for the submission. */
  @Column({ name: 'from_status', type: 'text', nullable: true })
  fromStatus: FeedbackStatus | null;

  @Column({ name: 'to_status', type: 'text' })
  toStatus: FeedbackStatus;

  /** Set on assignments: the organisation and unit assigned. */
  @Column({ name: 'assignee_code', type: 'text', nullable: true })
  assigneeCode: string | null;

  @Column({ name: 'assignee_unit_code', type: 'text', nullable: true })
  assigneeUnitCode: string | null;

  @Column({ type: 'text', nullable: true })
  note: string | null;
}

export const feedbackEntities = [...ADMIN_UNIT_ENTITIES, IdempotencyKey, FeedbackRow, FeedbackChangeRow];
