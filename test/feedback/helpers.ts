import type { DataSource } from 'typeorm';
import type { Stack } from '../stack';

/** Shared operations and small helpers of the feedback tests (through the gateway). */

export const SUBMIT = `mutation($input: SubmitFeedbackInput!, $key: String) {
  submitFeedback(input: $input, idempotencyKey: $key) { id status reportedAt dueAt replayed }
}`;

export const ASSIGN = `mutation($id: ID!, $assignee: ID!, $unit: ID, $note: String) {
  assignFeedback(id: $id, assigneeCode: $assignee, assigneeUnitCode: $unit, note: $note) {
    id status assignee { code } assigneeUnit { code }
  }
}`;

export const TRANSITION = `mutation($id: ID!, $to: FeedbackStatus!, $note: String, $resolution: String) {
  transitionFeedback(id: $id, to: $to, note: $note, resolution: $resolution) { id status resolution }
}`;

export const MARK_DUPLICATE = `mutation($id: ID!, $of: ID!, $note: String) {
  markDuplicate(id: $id, of: $of, note: $note) { id status duplicateOf { id } }
}`;

export interface Receipt {
  id: string;
  status: string;
  reportedAt: string;
  dueAt: string;
  replayed: boolean;
}

/** A valid submission: an anonymous hotline report about Phúc Xá ward, Ba Đình, Hà Nội. */
export function submission(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    channel: 'HOTLINE',
    category: 'VIOLATION',
    description: 'A shop keeps selling to customers without masks.',
    provinceCode: '01',
    districtCode: '001',
    wardCode: '00001',
    reporter: { anonymous: true },
    ...overrides,
  };
}

/** Runs an operation as a seeded subject and returns its data, failing the test on any error. */
export async function ok<T>(stack: Stack, subject: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await stack.as(subject).query<T>(query, variables);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!;
}

/** Runs an operation expected to fail and returns its only error (code, field, message). */
export async function refused(
  stack: Stack,
  subject: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ code: unknown; field: unknown; message: string }> {
  const res = await stack.as(subject).query(query, variables);
  expect(res.body.errors).toHaveLength(1);
  const [error] = res.body.errors!;
  return { code: error!.extensions?.code, field: error!.extensions?.field, message: error!.message };
}

/** Row counts of the feedback tables: a refused write must leave them unchanged. */
export async function tableCounts(ds: DataSource): Promise<{ feedback: number; changes: number; keys: number }> {
  const [row] = (await ds.query(`SELECT
    (SELECT count(*)::int FROM feedback) AS feedback,
    (SELECT count(*)::int FROM feedback_change) AS changes,
    (SELECT count(*)::int FROM idempotency_key) AS keys`)) as { feedback: number; changes: number; keys: number }[];
  return row!;
}
