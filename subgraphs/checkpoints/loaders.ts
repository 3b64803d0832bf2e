import { In } from 'typeorm';
import { byKeys, groupByKeys } from '../kit/loaders';
import { isUuid } from '../kit/refs';
import type { SubgraphContext } from '../kit/server';
import { CheckpointOperatorRow, CheckpointRow, PassageRow, type CheckpointStatus } from './entities';

/*
 * Per-request loaders (kit/loaders.ts): each batch is one SQL statement, answers in key order, and
 * gives null (or an empty list) for keys that match nothing. Keys that are not UUIDs cannot match a
 * uuid column, so they are answered without asking the database.
 */

export function checkpointById(ctx: SubgraphContext) {
  return ctx.loaders.get<string, CheckpointRow>('checkpoint', async (ids) => {
    const valid = ids.filter(isUuid);
    const rows = valid.length ? await ctx.db.getRepository(CheckpointRow).findBy({ id: In(valid) }) : [];
    return byKeys(ids, rows, (r) => r.id);
  });
}

export function passageById(ctx: SubgraphContext) {
  return ctx.loaders.get<string, PassageRow>('passage', async (ids) => {
    const valid = ids.filter(isUuid);
    const rows = valid.length ? await ctx.db.getRepository(PassageRow).findBy({ id: In(valid) }) : [];
    return byKeys(ids, rows, (r) => r.id);
  });
}

/** A person's passages, newest first; `since` (inclusive) narrows them. */
export function passagesOfCitizen(ctx: SubgraphContext, since: Date | null) {
  return ctx.loaders.get<string, PassageRow[]>(`passagesOfCitizen:${since?.toISOString() ?? ''}`, async (refs) => {
    const qb = ctx.db
      .getRepository(PassageRow)
      .createQueryBuilder('p')
      .where('p.citizen_ref IN (:...refs)', { refs: [...refs] });
    if (since) qb.andWhere('p.scanned_at >= :since', { since });
    const rows = await qb.orderBy('p.scanned_at', 'DESC').addOrderBy('p.id', 'DESC').getMany();
    return groupByKeys(refs, rows, (r) => r.citizenRef);
  });
}

/** Passages at which a movement declaration was shown, oldest first. */
export function passagesOfMovement(ctx: SubgraphContext) {
  return ctx.loaders.get<string, PassageRow[]>('passagesOfMovement', async (ids) => {
    const valid = ids.filter(isUuid);
    const rows = valid.length
      ? await ctx.db.getRepository(PassageRow).find({
          where: { movementDeclarationId: In(valid) },
          order: { scannedAt: 'ASC', id: 'ASC' },
        })
      : [];
    return groupByKeys(ids, rows, (r) => r.movementDeclarationId!);
  });
}

/** Checkpoints an organisation operates, by name then id. */
export function checkpointsOfOrganisation(ctx: SubgraphContext, status: CheckpointStatus | null) {
  return ctx.loaders.get<string, CheckpointRow[]>(`checkpointsOfOrganisation:${status ?? ''}`, async (codes) => {
    const rows = await ctx.db.getRepository(CheckpointRow).find({
      where: { operatorCode: In([...codes]), ...(status ? { status } : {}) },
      order: { name: 'ASC', id: 'ASC' },
    });
    return groupByKeys(codes, rows, (r) => r.operatorCode!);
  });
}

/** A checkpoint's operator assignments in order of assignment: open ones, or all. */
export function assignmentsOfCheckpoint(ctx: SubgraphContext, includeRemoved: boolean) {
  return ctx.loaders.get<string, CheckpointOperatorRow[]>(`assignments:${includeRemoved}`, async (ids) => {
    const qb = ctx.db
      .getRepository(CheckpointOperatorRow)
      .createQueryBuilder('a')
      .where('a.checkpoint_id IN (:...ids)', { ids: [...ids] });
    if (!includeRemoved) qb.andWhere('a.removed_at IS NULL');
    const rows = await qb.orderBy('a.assigned_at', 'ASC').addOrderBy('a.id', 'ASC').getMany();
    return groupByKeys(ids, rows, (r) => r.checkpointId);
  });
}
