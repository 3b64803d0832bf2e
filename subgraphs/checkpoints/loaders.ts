import { In } from 'typeorm';
import { byKeys } from '../kit/loaders';
import { isUuid } from '../kit/refs';
import type { SubgraphContext } from '../kit/server';
import { CheckpointRow } from './entities';

/** Per-request loader of checkpoints by id: one SQL query per batch, null for unknown ids. */
export function checkpointLoader(ctx: SubgraphContext) {
  return ctx.loaders.get<string, CheckpointRow>('checkpoint', async (ids) => {
    const valid = ids.filter(isUuid);
    const rows = valid.length ? await ctx.db.getRepository(CheckpointRow).findBy({ id: In(valid) }) : [];
    return byKeys(ids, rows, (r) => r.id);
  });
}
