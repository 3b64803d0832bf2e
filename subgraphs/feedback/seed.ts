import type { DataSource } from 'typeorm';
import { DEMO_PEOPLE, demoInstant, demoUuid } from '../kit/demo';
import type { Logger } from '../kit/logger';
import type { SeedContext } from '../kit/module';
import { citizenRef, type PseudonymKey } from '../kit/pseudonym';
import { ensureBuiltinUnitList } from '../kit/admin-units/builtin';
import { DEMO, type DemoFeedback } from './demo-data';
import { FeedbackChangeRow, FeedbackRow, type FeedbackChannel, type FeedbackStatus } from './entities';
import { dueAtFor } from './workflow';

/** Reference data every deployment needs: this subgraph's copy of the unit list (idempotent). */
export async function seedReference(ds: DataSource, log: Logger): Promise<void> {
  if (await ensureBuiltinUnitList(ds)) log.info('built-in administrative unit list seeded');
}

const HOUR = 3_600_000;
/** Who made the demo changes: the development users of the organisations seed. */
const HANDLER: Record<'01' | '79', string> = { '01': 'dev-health-01', '79': 'dev-health-79' };
const submitter = (channel: FeedbackChannel): string => (channel === 'HOTLINE' ? 'dev-hotline-01' : 'dev-consumer-79');

function person(n: number) {
  const p = DEMO_PEOPLE[n - 1];
  if (!p) throw new Error(`no demo person ${n}`);
  return p;
}

/** The history of one demo item: its workflow replayed within three hours of the report. */
function demoHistory(d: DemoFeedback, id: string, reportedAt: Date): Omit<FeedbackChangeRow, 'feedback'>[] {
  const changes: Omit<FeedbackChangeRow, 'feedback'>[] = [];
  const change = (
    hours: number,
    from: FeedbackStatus | null,
    to: FeedbackStatus,
    extra: Partial<FeedbackChangeRow> = {},
  ) =>
    changes.push({
      feedbackId: id,
      seq: changes.length + 1,
      at: new Date(reportedAt.getTime() + hours * HOUR),
      actor: from === null ? submitter(d.channel) : HANDLER[d.province],
      fromStatus: from,
      toStatus: to,
      assigneeCode: null,
      assigneeUnitCode: null,
      note: null,
      ...extra,
    });
  change(0, null, 'RECEIVED');
  (d.assignees ?? []).forEach((code, i) =>
    change(1 + i / 2, i === 0 ? 'RECEIVED' : 'ASSIGNED', 'ASSIGNED', {
      assigneeCode: code,
      assigneeUnitCode: d.province,
    }),
  );
  if (d.status === 'IN_PROGRESS' || d.status === 'RESOLVED') change(2, 'ASSIGNED', 'IN_PROGRESS');
  if (d.status === 'RESOLVED') change(3, 'IN_PROGRESS', 'RESOLVED', { note: 'Handled; the reporter was informed.' });
  if (d.status === 'REJECTED') change(1, 'RECEIVED', 'REJECTED', { note: 'Not within the centre’s remit.' });
  if (d.status === 'DUPLICATE')
    change(1, 'RECEIVED', 'DUPLICATE', { note: `duplicate of ${demoUuid('feedback', d.duplicateOf!)}` });
  return changes;
}

/** The rows of one demo item: the feedback and its history. */
function demoRows(d: DemoFeedback, n: number, key: PseudonymKey, now: Date) {
  const reportedAt = demoInstant(d.daysAgo, d.hour, now);
  const refOf = (i: number) => citizenRef({ type: 'CCCD', number: person(i).documentNumber }, key);
  const id = demoUuid('feedback', n);
  const reporter = d.reporter;
  const feedback: Partial<FeedbackRow> = {
    id,
    channel: d.channel,
    category: d.category,
    description: d.description,
    provinceCode: d.province,
    districtCode: null,
    wardCode: null,
    locationAddress: null,
    locationLatitude: null,
    locationLongitude: null,
    reportedAt,
    recordedAt: reportedAt,
    reporterKind: reporter === 'anonymous' ? 'ANONYMOUS' : 'citizen' in reporter ? 'CITIZEN' : 'PHONE',
    reporterRef: reporter !== 'anonymous' && 'citizen' in reporter ? refOf(reporter.citizen) : null,
    reporterPhone: reporter !== 'anonymous' && 'phone' in reporter ? person(reporter.phone).phone : null,
    reportedRef: d.reportedPerson ? refOf(d.reportedPerson) : null,
    status: d.status,
    assigneeCode: d.assignees?.at(-1) ?? null,
    assigneeUnitCode: d.assignees ? d.province : null,
    dueAt: dueAtFor(d.category, reportedAt),
    resolution:
      d.status === 'RESOLVED' ? 'Checked on site and handled by the local team; the reporter was informed.' : null,
    duplicateOf: d.duplicateOf ? demoUuid('feedback', d.duplicateOf) : null,
  };
  return { feedback, changes: demoHistory(d, id, reportedAt) };
}

/** The demo items as they would be seeded at `now` (exported for the seed's tests). */
export function demoFeedback(key: PseudonymKey, now: Date = new Date()) {
  return DEMO.map((d, i) => demoRows(d, i + 1, key, now));
}

/**
 * Development only: a deterministic demo set over the last 14 days in Hà Nội (01) and Hồ Chí Minh
 * City (79), in every status, some reported by or about demo citizens, assigned to the seeded
 * organisations, a few overdue. Runs only when the feedback table is empty.
 */
export async function seedDevelopment(ds: DataSource, log: Logger, ctx?: SeedContext): Promise<void> {
  if (!ctx) {
    log.warn('demo feedback not seeded: the pseudonymisation key was not given to the seed');
    return;
  }
  const now = new Date();
  const seeded = await ds.transaction(async (m) => {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('feedback demo seed'))`);
    const any: unknown[] = await m.query(`SELECT 1 FROM feedback LIMIT 1`);
    if (any.length) return 0;
    const items = demoFeedback(ctx.pseudonymKey, now);
    await m.getRepository(FeedbackRow).insert(items.map((i) => i.feedback));
    await m.getRepository(FeedbackChangeRow).insert(items.flatMap((i) => i.changes));
    return items.length;
  });
  if (seeded) log.info({ feedback: seeded }, 'demo feedback seeded');
}
