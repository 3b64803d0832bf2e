import type DataLoader from 'dataloader';
import { In } from 'typeorm';
import { byKeys, groupByKeys } from '../kit/loaders';
import { isUuid } from '../kit/refs';
import type { SubgraphContext } from '../kit/server';
import { feedbackWhere, mayAccessFeedback } from './access';
import { FeedbackChangeRow, FeedbackRow, type FeedbackStatus } from './entities';

/*
 * Per-request DataLoaders (in the request's LoaderRegistry, never shared between callers): each
 * batch is one SQL statement returning results in key order, null or [] for misses.
 */

type Ctx = Pick<SubgraphContext, 'loaders' | 'db' | 'principal'>;

/**
 * Feedback by id; null for unknown ids (and for ids that are not UUIDs), and for items the caller
 * may not access (access.ts), exactly as for unknown ids.
 */
export function feedbackLoader(ctx: Ctx): DataLoader<string, FeedbackRow | null> {
  return ctx.loaders.get<string, FeedbackRow>('feedback', async (ids) => {
    const valid = ids.filter(isUuid);
    const rows = valid.length ? await ctx.db.getRepository(FeedbackRow).findBy({ id: In(valid) }) : [];
    return byKeys(
      ids,
      rows.filter((r) => mayAccessFeedback(ctx.principal, r)),
      (r) => r.id,
    );
  });
}

/** The change history of each feedback item, oldest first. */
export function historyLoader(ctx: Ctx): DataLoader<string, FeedbackChangeRow[] | null> {
  return ctx.loaders.get<string, FeedbackChangeRow[]>('feedbackHistory', async (ids) => {
    const valid = ids.filter(isUuid);
    const rows = valid.length
      ? await ctx.db
          .getRepository(FeedbackChangeRow)
          .find({ where: { feedbackId: In(valid) }, order: { feedbackId: 'ASC', seq: 'ASC' } })
      : [];
    return groupByKeys(ids, rows, (r) => r.feedbackId);
  });
}

/**
 * Feedback assigned to each organisation, newest first, at most `limit` per organisation: one
 * statement for every organisation of a request (a window per assignee). Only items the caller may
 * access (filtered before ranking, so each list is full).
 */
export function assignedFeedbackLoader(
  ctx: Ctx,
  status: FeedbackStatus | null,
  limit: number,
): DataLoader<string, FeedbackRow[] | null> {
  return ctx.loaders.get<string, FeedbackRow[]>(`assignedFeedback:${status ?? '*'}:${limit}`, async (codes) => {
    const ranked = ctx.db
      .getRepository(FeedbackRow)
      .createQueryBuilder('f')
      .select('f.id', 'id')
      .addSelect('row_number() OVER (PARTITION BY f.assignee_code ORDER BY f.reported_at DESC, f.id DESC)', 'rank')
      .where('f.assignee_code = ANY(:codes)', { codes: [...codes] });
    const j = feedbackWhere(ctx.principal, 'f');
    ranked.andWhere(j.sql, j.params);
    if (status) ranked.andWhere('f.status = :status', { status });
    const rows = await ctx.db
      .getRepository(FeedbackRow)
      .createQueryBuilder('f')
      .innerJoin(`(${ranked.getQuery()})`, 'r', 'r.id = f.id AND r.rank <= :limit', { limit })
      .setParameters(ranked.getParameters())
      .orderBy('f.reportedAt', 'DESC')
      .addOrderBy('f.id', 'DESC')
      .getMany();
    return groupByKeys(codes, rows, (r) => r.assigneeCode ?? '');
  });
}
