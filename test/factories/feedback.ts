import type { DataSource } from 'typeorm';
import { FeedbackChangeRow, FeedbackRow } from '../../subgraphs/feedback/entities';
import { dueAtFor } from '../../subgraphs/feedback/workflow';
import { Sequence, testInstant, UNITS } from './sequence';

const seq = new Sequence('feed0000');

/**
 * Inserts a feedback item directly (no validation): by default an anonymous hotline report of a
 * quarantine breach in Hà Nội, unassigned, due by its category's deadline, with its submission as
 * the first history row. A RESOLVED item gets a resolution unless one is given.
 */
export async function insertFeedback(ds: DataSource, overrides: Partial<FeedbackRow> = {}): Promise<FeedbackRow> {
  const n = seq.next();
  const category = overrides.category ?? 'QUARANTINE_BREACH';
  const reportedAt = overrides.reportedAt ?? testInstant(n);
  const status = overrides.status ?? 'RECEIVED';
  const row = ds.getRepository(FeedbackRow).create({
    id: seq.uuid(n),
    channel: 'HOTLINE',
    category,
    description: `Report ${n}: a household under home quarantine is receiving visitors.`,
    provinceCode: UNITS.haNoi.province,
    districtCode: UNITS.haNoi.district,
    wardCode: UNITS.haNoi.ward,
    locationAddress: null,
    locationLatitude: null,
    locationLongitude: null,
    reportedAt,
    recordedAt: reportedAt,
    reporterKind: 'ANONYMOUS',
    reporterRef: null,
    reporterPhone: null,
    reportedRef: null,
    status,
    assigneeCode: null,
    assigneeUnitCode: null,
    dueAt: dueAtFor(category, reportedAt),
    resolution: status === 'RESOLVED' ? `Resolution of report ${n}.` : null,
    duplicateOf: null,
    ...overrides,
  });
  await ds.getRepository(FeedbackRow).insert(row);
  await ds.getRepository(FeedbackChangeRow).insert({
    feedbackId: row.id,
    seq: 1,
    at: row.recordedAt,
    actor: 'test:factory',
    fromStatus: null,
    toStatus: row.status,
    assigneeCode: row.assigneeCode,
    assigneeUnitCode: row.assigneeUnitCode,
    note: null,
  });
  return row;
}

/** Removes every feedback item (and its history): a test file's stack starts from the demo set. */
export async function clearFeedback(ds: DataSource): Promise<void> {
  await ds.query(`TRUNCATE feedback, feedback_change, idempotency_key`);
}
