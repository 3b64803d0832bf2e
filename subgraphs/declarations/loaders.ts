import { In, IsNull } from 'typeorm';
import type DataLoader from 'dataloader';
import { byKeys, groupByKeys } from '../kit/loaders';
import { isNationalPrincipal } from '../kit/jurisdiction';
import { tryUpgradeRef } from '../kit/pseudonym';
import { isUuid } from '../kit/refs';
import type { SubgraphContext } from '../kit/server';
import {
  CitizenRow,
  HealthDeclarationRow,
  IdentitySnapshotRow,
  MonitoringPeriodRow,
  type DeclarationKind,
} from './entities';
import { namedJurisdictionSql, visible } from './jurisdiction';

/*
 * Per-request DataLoaders (created lazily in the request's LoaderRegistry, never shared between
 * callers). Each batch is one SQL statement returning results in key order, null (or []) for misses,
 * so the statements a request makes do not grow with the items it returns. Every loader applies the
 * caller's jurisdiction to each record it returns: a record outside it comes back as a miss.
 */

type Ctx = Pick<SubgraphContext, 'loaders' | 'db' | 'principal'>;

export function citizenLoader(
  ctx: Ctx & Partial<Pick<SubgraphContext, 'pseudonymKey'>>,
): DataLoader<string, CitizenRow | null> {
  return ctx.loaders.get<string, CitizenRow>('citizen', async (refs) => {
    // A ref of an earlier key version (a client's, or one another subgraph still stores while
    // re-keying runs) finds the person under the current version too (docs/KEYS.md).
    const key = ctx.pseudonymKey;
    const current = refs.map((r) => (key ? tryUpgradeRef(r, key) : null) ?? r);
    const qb = ctx.db
      .getRepository(CitizenRow)
      .createQueryBuilder('c')
      .where('c.ref = ANY(:refs)', { refs: [...new Set([...refs, ...current])] });
    if (!isNationalPrincipal(ctx.principal)) {
      // A person is visible when at least one of their current declarations is in jurisdiction.
      const j = namedJurisdictionSql(ctx.principal, 'd');
      qb.andWhere(
        `EXISTS (SELECT 1 FROM health_declaration d WHERE d.citizen_ref = c.ref AND d.superseded_at IS NULL AND ${j.sql})`,
        j.params,
      );
    }
    const rows = await qb.getMany();
    const index = new Map(rows.map((r) => [r.ref, r]));
    return refs.map((r, i) => index.get(current[i]!) ?? index.get(r) ?? null);
  });
}

/** The current version of each declaration. */
export function declarationLoader(ctx: Ctx): DataLoader<string, HealthDeclarationRow | null> {
  return ctx.loaders.get<string, HealthDeclarationRow>('declaration', async (ids) => {
    const valid = ids.filter(isUuid);
    const rows = valid.length
      ? await ctx.db.getRepository(HealthDeclarationRow).findBy({ id: In(valid), supersededAt: IsNull() })
      : [];
    return byKeys(ids, visible(ctx.principal, rows), (r) => r.id);
  });
}

/** Every version of each declaration, oldest first. */
export function declarationHistoryLoader(ctx: Ctx): DataLoader<string, HealthDeclarationRow[] | null> {
  return ctx.loaders.get<string, HealthDeclarationRow[]>('declarationHistory', async (ids) => {
    const rows = await ctx.db
      .getRepository(HealthDeclarationRow)
      .find({ where: { id: In([...ids]) }, order: { id: 'ASC', version: 'ASC' } });
    // Every version is checked on its own (an amendment may have moved the declaration).
    return groupByKeys(ids, visible(ctx.principal, rows), (r) => r.id);
  });
}

export interface CitizenDeclarationFilter {
  since: Date | null;
  kinds: readonly DeclarationKind[] | null;
}

/**
 * A citizen's current declarations, newest first. One loader per distinct filter, so citizens asked
 * for with the same arguments share one query (served by ix_health_declaration_citizen_submitted).
 */
export function declarationsByCitizenLoader(
  ctx: Ctx,
  filter: CitizenDeclarationFilter,
): DataLoader<string, HealthDeclarationRow[] | null> {
  const name = `declarationsByCitizen:${filter.since?.toISOString() ?? ''}:${filter.kinds?.join(',') ?? '*'}`;
  return ctx.loaders.get<string, HealthDeclarationRow[]>(name, async (refs) => {
    const qb = ctx.db
      .getRepository(HealthDeclarationRow)
      .createQueryBuilder('d')
      .where('d.citizen_ref = ANY(:refs)', { refs: [...refs] })
      .andWhere('d.superseded_at IS NULL');
    if (filter.since) qb.andWhere('d.submitted_at >= :since', { since: filter.since });
    if (filter.kinds) qb.andWhere('d.kind = ANY(:kinds)', { kinds: [...filter.kinds] });
    const rows = await qb
      .orderBy('d.citizenRef')
      .addOrderBy('d.submittedAt', 'DESC')
      .addOrderBy('d.id', 'DESC')
      .getMany();
    return groupByKeys(refs, visible(ctx.principal, rows), (r) => r.citizenRef);
  });
}

export function snapshotLoader(ctx: Ctx): DataLoader<string, IdentitySnapshotRow | null> {
  return ctx.loaders.get<string, IdentitySnapshotRow>('identitySnapshot', async (ids) => {
    const valid = ids.filter(isUuid);
    const rows = valid.length ? await ctx.db.getRepository(IdentitySnapshotRow).findBy({ id: In(valid) }) : [];
    return byKeys(ids, rows, (r) => r.id);
  });
}

/** Each citizen's latest snapshot: latest declared, then latest written (an amendment wins a tie). */
export function latestSnapshotLoader(ctx: Ctx): DataLoader<string, IdentitySnapshotRow | null> {
  return ctx.loaders.get<string, IdentitySnapshotRow>('latestIdentitySnapshot', async (refs) => {
    const rows = await ctx.db
      .getRepository(IdentitySnapshotRow)
      .createQueryBuilder('s')
      .distinctOn(['s.citizen_ref'])
      .where('s.citizen_ref = ANY(:refs)', { refs: [...refs] })
      .orderBy('s.citizen_ref')
      .addOrderBy('s.declared_at', 'DESC')
      .addOrderBy('s.created_at', 'DESC')
      .addOrderBy('s.id', 'DESC')
      .getMany();
    return byKeys(refs, rows, (r) => r.citizenRef);
  });
}

/** Each citizen's monitoring periods, latest start first. */
export function monitoringPeriodsLoader(ctx: Ctx): DataLoader<string, MonitoringPeriodRow[] | null> {
  return ctx.loaders.get<string, MonitoringPeriodRow[]>('monitoringPeriodsByCitizen', async (refs) => {
    const rows = await ctx.db
      .getRepository(MonitoringPeriodRow)
      .find({ where: { citizenRef: In([...refs]) }, order: { citizenRef: 'ASC', startsOn: 'DESC', id: 'ASC' } });
    return groupByKeys(refs, visible(ctx.principal, rows), (r) => r.citizenRef);
  });
}
