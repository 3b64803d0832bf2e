import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

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

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/** A citizen's report or request, routed to a locality and (once assigned) an organisation. */
@Entity({ name: 'feedback' })
@Index('ix_feedback_reported', ['reportedAt', 'id'])
@Index('ix_feedback_status_reported', ['status', 'reportedAt', 'id'])
@Index('ix_feedback_province_reported', ['provinceCode', 'reportedAt', 'id'])
@Check('ck_feedback_channel', `channel IN (${list(FEEDBACK_CHANNELS)})`)
@Check('ck_feedback_category', `category IN (${list(FEEDBACK_CATEGORIES)})`)
@Check('ck_feedback_status', `status IN (${list(FEEDBACK_STATUSES)})`)
export class FeedbackRow {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_feedback' })
  id: string;

  @Column({ type: 'text' })
  channel: FeedbackChannel;

  @Column({ type: 'text' })
  category: FeedbackCategory;

  @Column({ type: 'text' })
  description: string;

  @Column({ name: 'province_code', type: 'text', nullable: true })
  provinceCode: string | null;

  @Column({ name: 'district_code', type: 'text', nullable: true })
  districtCode: string | null;

  @Column({ name: 'ward_code', type: 'text', nullable: true })
  wardCode: string | null;

  @Column({ name: 'reported_at', type: 'timestamptz', precision: 3 })
  reportedAt: Date;

  @Column({ type: 'text', default: 'RECEIVED' })
  status: FeedbackStatus;

  @Column({ name: 'assignee_code', type: 'text', nullable: true })
  assigneeCode: string | null;
}

export const feedbackEntities = [FeedbackRow];
