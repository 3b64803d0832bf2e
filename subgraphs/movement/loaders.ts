import { In } from 'typeorm';
import { byKeys, groupByKeys } from '../kit/loaders';
import { isUuid } from '../kit/refs';
import type { SubgraphContext } from '../kit/server';
import { MovementDeclarationRow } from './entities';

/** Per-request loaders of the movement subgraph: each batch is one SQL query. */
export function movementLoader(ctx: SubgraphContext) {
  return ctx.loaders.get<string, MovementDeclarationRow>('movement', async (ids) => {
    const valid = ids.filter(isUuid);
    const rows = valid.length ? await ctx.db.getRepository(MovementDeclarationRow).findBy({ id: In(valid) }) : [];
    return byKeys(ids, rows, (r) => r.id);
  });
}

/**
 * A citizen's journeys, newest departure first; one loader per `since`, so citizens asked for with
 * the same argument share one query (served by ix_movement_declaration_citizen_depart).
 */
export function movementsByCitizenLoader(ctx: SubgraphContext, since: Date | null) {
  return ctx.loaders.get<string, MovementDeclarationRow[]>(
    `movementsByCitizen:${since?.toISOString() ?? ''}`,
    async (refs) => {
      const qb = ctx.db
        .getRepository(MovementDeclarationRow)
        .createQueryBuilder('m')
        .where('m.citizen_ref = ANY(:refs)', { refs: [...refs] });
      if (since) qb.andWhere('m.depart_at >= :since', { since });
      const rows = await qb
        .orderBy('m.citizenRef')
        .addOrderBy('m.departAt', 'DESC')
        .addOrderBy('m.id', 'DESC')
        .getMany();
      return groupByKeys(refs, rows, (r) => r.citizenRef);
    },
  );
}
