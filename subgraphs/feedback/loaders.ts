import { In } from 'typeorm';
import { byKeys } from '../kit/loaders';
import { isUuid } from '../kit/refs';
import type { SubgraphContext } from '../kit/server';
import { FeedbackRow } from './entities';

/** Per-request loader of feedback by id: one SQL query per batch, null for unknown ids. */
export function feedbackLoader(ctx: SubgraphContext) {
  return ctx.loaders.get<string, FeedbackRow>('feedback', async (ids) => {
    const valid = ids.filter(isUuid);
    const rows = valid.length ? await ctx.db.getRepository(FeedbackRow).findBy({ id: In(valid) }) : [];
    return byKeys(ids, rows, (r) => r.id);
  });
}
