import { In } from 'typeorm';
import { byKeys, groupByKeys } from '../kit/loaders';
import { isUuid } from '../kit/refs';
import type { SubgraphContext } from '../kit/server';
import { checkpointWhere, coversCheckpoint } from './access';
import { CheckpointOperatorRow, CheckpointRow, PassageRow, type CheckpointStatus } from './entities';

/*
 * Per-request loaders (kit/loaders.ts): each batch is one SQL statement, answers in key order, and
 * gives null (or an empty list) for keys that match nothing. Keys that are not UUIDs cannot match a
 * uuid column, so they are answered without asking the database. Every loader applies the caller's
 * jurisdiction per record (access.ts): a checkpoint outside it, or a passage at one, is answered as
 * a missing id; lists keep only the records inside it (filtered in SQL).
 */

export function checkpointById(ctx: SubgraphContext) {
  return ctx.loaders.get<string, CheckpointRow>('checkpoint', async (ids) => {
    const valid = ids.filter(isUuid);
    const rows = valid.length ? await ctx.db.getRepository(CheckpointRow).findBy({ id: In(valid) }) : [];
    return byKeys(
      ids,
      rows.filter((r) => coversCheckpoint(ctx.principal, r)),
      (r) => r.id,
    );
  });
}

export function passageById(ctx: SubgraphContext) {
  return ctx.loaders.get<string, PassageRow>('passage', async (ids) => {
    const valid = ids.filter(isUuid);
    const rows = valid.length
      ? await ctx.db
          .getRepository(PassageRow)
          .createQueryBuilder('p')
          .innerJoinAndSelect('p.checkpoint', 'c')
          .where('p.id IN (:...ids)', { ids: valid })
          .getMany()
      : [];
    return byKeys(
      ids,
      rows.filter((r) => coversCheckpoint(ctx.principal, r.checkpoint!)).map(withoutCheckpoint),
      (r) => r.id,
    );
  });
}

/** A passage without the checkpoint joined to check its jurisdiction. */
function withoutCheckpoint({ checkpoint: _, ...p }: PassageRow): PassageRow {
  return p;
}

/** The caller's jurisdiction over the checkpoint `c` of a query builder. */
function inJurisdiction(ctx: SubgraphContext, alias = 'c') {
  return checkpointWhere(ctx.principal, alias);
}

/** A person's passages, newest first; `since` (inclusive) narrows them. */
export function passagesOfCitizen(ctx: SubgraphContext, since: Date | null) {
  return ctx.loaders.get<string, PassageRow[]>(`passagesOfCitizen:${since?.toISOString() ?? ''}`, async (refs) => {
    const qb = ctx.db
      .getRepository(PassageRow)
      .createQueryBuilder('p')
      .innerJoin('p.checkpoint', 'c')
      .where('p.citizen_ref IN (:...refs)', { refs: [...refs] });
    const j = inJurisdiction(ctx);
    qb.andWhere(j.sql, j.params);
    if (since) qb.andWhere('p.scanned_at >= :since', { since });
    const rows = await qb.orderBy('p.scanned_at', 'DESC').addOrderBy('p.id', 'DESC').getMany();
    return groupByKeys(refs, rows, (r) => r.citizenRef);
  });
}

/** Passages at which a movement declaration was shown, oldest first. */
export function passagesOfMovement(ctx: SubgraphContext) {
  return ctx.loaders.get<string, PassageRow[]>('passagesOfMovement', async (ids) => {
    const valid = ids.filter(isUuid);
    const j = inJurisdiction(ctx);
    const rows = valid.length
      ? await ctx.db
          .getRepository(PassageRow)
          .createQueryBuilder('p')
          .innerJoin('p.checkpoint', 'c')
          .where('p.movement_declaration_id IN (:...ids)', { ids: valid })
          .andWhere(j.sql, j.params)
          .orderBy('p.scanned_at', 'ASC')
          .addOrderBy('p.id', 'ASC')
          .getMany()
      : [];
    return groupByKeys(ids, rows, (r) => r.movementDeclarationId!);
  });
}

/** Checkpoints an organisation operates, by name then id. */
export function checkpointsOfOrganisation(ctx: SubgraphContext, status: CheckpointStatus | null) {
  return ctx.loaders.get<string, CheckpointRow[]>(`checkpointsOfOrganisation:${status ?? ''}`, async (codes) => {
    const j = inJurisdiction(ctx);
    const qb = ctx.db
      .getRepository(CheckpointRow)
      .createQueryBuilder('c')
      .where('c.operator_code IN (:...codes)', { codes: [...codes] })
      .andWhere(j.sql, j.params);
    if (status) qb.andWhere('c.status = :status', { status });
    const rows = await qb.orderBy('c.name', 'ASC').addOrderBy('c.id', 'ASC').getMany();
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
