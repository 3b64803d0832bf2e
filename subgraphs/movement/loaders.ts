import type DataLoader from 'dataloader';
import { byKeys, groupByKeys } from '../kit/loaders';
import { isUuid } from '../kit/refs';
import type { SubgraphContext } from '../kit/server';
import { visible } from './jurisdiction';
import { selectMovements, selectStatusChanges, type Movement, type StatusChange } from './store';

/*
 * Per-request DataLoaders (created lazily in the request's registry, never shared between
 * callers). Each batch is one SQL statement; results come back in key order, null or [] for misses.
 * Each journey is checked against the caller's jurisdiction: one outside it is a miss.
 */

type Ctx = Pick<SubgraphContext, 'loaders' | 'db' | 'principal'>;

export function movementById(ctx: Ctx): DataLoader<string, Movement | null> {
  return ctx.loaders.get<string, Movement>('movementById', async (ids) => {
    const valid = ids.filter(isUuid);
    const rows = valid.length ? await selectMovements(ctx.db, 'm.id = ANY($1::uuid[])', [valid]) : [];
    return byKeys(ids, visible(ctx.principal, rows), (r) => r.id);
  });
}

/**
 * A citizen's journeys as declarant or companion, newest departure first. One loader per `since`,
 * so citizens asked for with the same argument share one statement (served by the
 * citizen_ref + depart_at btree and the companion_refs GIN index).
 */
export function movementsOfCitizen(ctx: Ctx, since: Date | null): DataLoader<string, Movement[] | null> {
  return ctx.loaders.get<string, Movement[]>(`movementsOfCitizen:${since?.toISOString() ?? ''}`, async (refs) => {
    const params: unknown[] = [[...refs]];
    let where = '(m.citizen_ref = ANY($1::text[]) OR m.companion_refs && $1::text[])';
    if (since) {
      params.push(since);
      where += ' AND m.depart_at >= $2';
    }
    const rows = await selectMovements(ctx.db, where, params, 'ORDER BY m.depart_at DESC, m.id DESC');
    const wanted = new Map<string, Movement[]>(refs.map((r) => [r, []]));
    for (const row of visible(ctx.principal, rows)) {
      for (const ref of new Set([row.citizenRef, ...row.companionRefs])) wanted.get(ref)?.push(row);
    }
    return refs.map((r) => wanted.get(r) ?? []);
  });
}

export function statusHistory(ctx: Ctx): DataLoader<string, StatusChange[] | null> {
  return ctx.loaders.get<string, StatusChange[]>('statusHistory', async (ids) => {
    const valid = ids.filter(isUuid);
    const rows = valid.length ? await selectStatusChanges(ctx.db, valid) : [];
    return groupByKeys(ids, rows, (c) => c.movementId);
  });
}
