import { In } from 'typeorm';
import { byKeys, groupByKeys } from '../kit/loaders';
import { isUuid } from '../kit/refs';
import type { SubgraphContext } from '../kit/server';
import { CitizenRow, HealthDeclarationRow, type DeclarationKind } from './entities';

/** Per-request loaders of the declarations subgraph: each batch is one SQL query. */
export function citizenLoader(ctx: SubgraphContext) {
  return ctx.loaders.get<string, CitizenRow>('citizen', async (refs) => {
    const rows = await ctx.db.getRepository(CitizenRow).findBy({ ref: In([...refs]) });
    return byKeys(refs, rows, (r) => r.ref);
  });
}

export function declarationLoader(ctx: SubgraphContext) {
  return ctx.loaders.get<string, HealthDeclarationRow>('declaration', async (ids) => {
    const valid = ids.filter(isUuid);
    const rows = valid.length ? await ctx.db.getRepository(HealthDeclarationRow).findBy({ id: In(valid) }) : [];
    return byKeys(ids, rows, (r) => r.id);
  });
}

export interface DeclarationFilter {
  since: Date | null;
  kinds: readonly DeclarationKind[] | null;
}

/**
 * A citizen's declarations, newest first. One loader per distinct filter, so citizens asked for
 * with the same arguments share one query (served by ix_health_declaration_citizen_submitted).
 */
export function declarationsByCitizenLoader(ctx: SubgraphContext, filter: DeclarationFilter) {
  const name = `declarationsByCitizen:${filter.since?.toISOString() ?? ''}:${filter.kinds?.join(',') ?? '*'}`;
  return ctx.loaders.get<string, HealthDeclarationRow[]>(name, async (refs) => {
    const qb = ctx.db
      .getRepository(HealthDeclarationRow)
      .createQueryBuilder('d')
      .where('d.citizen_ref = ANY(:refs)', { refs: [...refs] });
    if (filter.since) qb.andWhere('d.submitted_at >= :since', { since: filter.since });
    if (filter.kinds) qb.andWhere('d.kind = ANY(:kinds)', { kinds: [...filter.kinds] });
    const rows = await qb
      .orderBy('d.citizenRef')
      .addOrderBy('d.submittedAt', 'DESC')
      .addOrderBy('d.id', 'DESC')
      .getMany();
    return groupByKeys(refs, rows, (r) => r.citizenRef);
  });
}
