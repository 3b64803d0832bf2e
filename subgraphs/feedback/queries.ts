import type { DataSource } from 'typeorm';
import { badInput } from '../kit/errors';
import { decodeCursor, pageSize, toConnection, type Connection, type PageArgs } from '../kit/pagination';
import { isUuid, requireProvinceCode } from '../kit/refs';
import { FeedbackRow, type FeedbackStatus } from './entities';

export interface FeedbackListArgs extends PageArgs {
  status?: FeedbackStatus | null;
  provinceCode?: string | null;
}

/** The keyset of a feedback page: newest first, the id breaking ties. */
function afterKey(cursor: string | null | undefined): { reportedAt: Date; id: string } | null {
  const key = decodeCursor(cursor, 2);
  if (!key) return null;
  const [at, id] = key;
  const reportedAt = typeof at === 'string' ? new Date(at) : null;
  if (!reportedAt || Number.isNaN(reportedAt.getTime()) || !isUuid(id)) {
    throw badInput('after', 'is not a cursor returned by this field');
  }
  return { reportedAt, id };
}

/**
 * One page of feedback, filtered by status and province, newest first. Keyset pagination on
 * (reported_at, id) descending; each filter has an index with the same order.
 */
export async function listFeedback(db: DataSource, args: FeedbackListArgs): Promise<Connection<FeedbackRow>> {
  const size = pageSize(args.first);
  const after = afterKey(args.after);
  const qb = db.getRepository(FeedbackRow).createQueryBuilder('f');
  if (args.status) qb.andWhere('f.status = :status', { status: args.status });
  if (args.provinceCode) {
    qb.andWhere('f.province_code = :province', { province: requireProvinceCode('provinceCode', args.provinceCode) });
  }
  if (after)
    qb.andWhere('(f.reported_at, f.id) < (:afterAt, :afterId)', { afterAt: after.reportedAt, afterId: after.id });
  const rows = await qb
    .orderBy('f.reportedAt', 'DESC')
    .addOrderBy('f.id', 'DESC')
    .limit(size + 1)
    .getMany();
  return toConnection(rows, size, (r) => [r.reportedAt.toISOString(), r.id]);
}
