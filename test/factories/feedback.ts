import type { DataSource } from 'typeorm';
import { FeedbackRow } from '../../subgraphs/feedback/entities';
import { Sequence, testInstant, UNITS } from './sequence';

const seq = new Sequence('feed0000');

/** Inserts a feedback item: by default a hotline report of a quarantine breach in Hà Nội, unassigned. */
export async function insertFeedback(ds: DataSource, overrides: Partial<FeedbackRow> = {}): Promise<FeedbackRow> {
  const n = seq.next();
  const row = ds.getRepository(FeedbackRow).create({
    id: seq.uuid(n),
    channel: 'HOTLINE',
    category: 'QUARANTINE_BREACH',
    description: `Report ${n}: a household under home quarantine is receiving visitors.`,
    provinceCode: UNITS.haNoi.province,
    districtCode: UNITS.haNoi.district,
    wardCode: UNITS.haNoi.ward,
    reportedAt: testInstant(n),
    status: 'RECEIVED',
    assigneeCode: null,
    ...overrides,
  });
  await ds.getRepository(FeedbackRow).insert(row);
  return row;
}
