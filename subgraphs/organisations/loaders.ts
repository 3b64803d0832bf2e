import { In } from 'typeorm';
import type DataLoader from 'dataloader';
import { byKeys, groupByKeys } from '../kit/loaders';
import type { SubgraphContext } from '../kit/server';
import { findUnits, listUnits, listVersions, type ListVersionRow, type ResolvedUnit } from '../kit/admin-units/query';
import { AppUser, CentreMembership, ChangeConsumer, ChangeDelivery, Organisation, RoleGrant } from './entities';
import { isUuid } from './validation';

/*
 * Per-request DataLoaders (created lazily in the request's LoaderRegistry, never shared between
 * callers). Each batch is one query returning results in key order, null (or []) for misses.
 */

type Ctx = Pick<SubgraphContext, 'loaders' | 'db'>;

/** Keys that can match a uuid column (anything else is a miss, not a database error). */
const uuids = (keys: readonly string[]): string[] => keys.filter(isUuid);

export function organisationById(ctx: Ctx): DataLoader<string, Organisation | null> {
  return ctx.loaders.get<string, Organisation>('organisationById', async (ids) => {
    const valid = uuids(ids);
    const rows = valid.length ? await ctx.db.getRepository(Organisation).findBy({ id: In(valid) }) : [];
    return byKeys(ids, rows, (o) => o.id);
  });
}

export function organisationByCode(ctx: Ctx): DataLoader<string, Organisation | null> {
  return ctx.loaders.get<string, Organisation>('organisationByCode', async (codes) => {
    const rows = await ctx.db.getRepository(Organisation).findBy({ code: In([...codes]) });
    return byKeys(codes, rows, (o) => o.code);
  });
}

export function organisationChildren(ctx: Ctx): DataLoader<string, Organisation[] | null> {
  return ctx.loaders.get<string, Organisation[]>('organisationChildren', async (ids) => {
    const rows = await ctx.db
      .getRepository(Organisation)
      .find({ where: { parentId: In([...ids]) }, order: { code: 'ASC' } });
    return groupByKeys(ids, rows, (o) => o.parentId ?? '');
  });
}

export function membershipsOfOrganisation(ctx: Ctx): DataLoader<string, CentreMembership[] | null> {
  return ctx.loaders.get<string, CentreMembership[]>('membershipsOfOrganisation', async (ids) => {
    const rows = await ctx.db
      .getRepository(CentreMembership)
      .find({ where: { organisationId: In([...ids]) }, order: { validFrom: 'DESC', createdAt: 'DESC' } });
    return groupByKeys(ids, rows, (m) => m.organisationId);
  });
}

export function userById(ctx: Ctx): DataLoader<string, AppUser | null> {
  return ctx.loaders.get<string, AppUser>('userById', async (ids) => {
    const valid = uuids(ids);
    const rows = valid.length ? await ctx.db.getRepository(AppUser).findBy({ id: In(valid) }) : [];
    return byKeys(ids, rows, (u) => u.id);
  });
}

export function usersOfOrganisation(ctx: Ctx): DataLoader<string, AppUser[] | null> {
  return ctx.loaders.get<string, AppUser[]>('usersOfOrganisation', async (ids) => {
    const rows = await ctx.db
      .getRepository(AppUser)
      .find({ where: { organisationId: In([...ids]) }, order: { subject: 'ASC' } });
    return groupByKeys(ids, rows, (u) => u.organisationId ?? '');
  });
}

export function grantsOfUser(ctx: Ctx): DataLoader<string, RoleGrant[] | null> {
  return ctx.loaders.get<string, RoleGrant[]>('grantsOfUser', async (ids) => {
    const valid = uuids(ids);
    const rows = valid.length
      ? await ctx.db
          .getRepository(RoleGrant)
          .find({ where: { userId: In(valid) }, order: { validFrom: 'DESC', grantedAt: 'DESC' } })
      : [];
    return groupByKeys(ids, rows, (g) => g.userId);
  });
}

/** Units by code, as of a day (or newest when `asOf` is null): one loader per day. */
export function unitByCode(ctx: Ctx, asOf: string | null): DataLoader<string, ResolvedUnit | null> {
  return ctx.loaders.get<string, ResolvedUnit>(`unitByCode:${asOf ?? 'newest'}`, async (codes) => {
    const rows = await findUnits(ctx.db, codes, asOf);
    return byKeys(codes, rows, (u) => u.code);
  });
}

/** Units directly below each parent code, in force on a day: one loader per day. */
export function unitChildren(ctx: Ctx, asOf: string): DataLoader<string, ResolvedUnit[] | null> {
  return ctx.loaders.get<string, ResolvedUnit[]>(`unitChildren:${asOf}`, async (codes) => {
    const rows = await listUnits(ctx.db, { asOf, parentCodes: codes });
    return groupByKeys(codes, rows, (u) => u.parentCode ?? '');
  });
}

export function listVersionByName(ctx: Ctx): DataLoader<string, ListVersionRow | null> {
  return ctx.loaders.get<string, ListVersionRow>('listVersionByName', async (names) => {
    const rows = await listVersions(ctx.db, names);
    return byKeys(names, rows, (v) => v.name);
  });
}

export function membershipById(ctx: Ctx): DataLoader<string, CentreMembership | null> {
  return ctx.loaders.get<string, CentreMembership>('membershipById', async (ids) => {
    const valid = uuids(ids);
    const rows = valid.length ? await ctx.db.getRepository(CentreMembership).findBy({ id: In(valid) }) : [];
    return byKeys(ids, rows, (m) => m.id);
  });
}

export function grantById(ctx: Ctx): DataLoader<string, RoleGrant | null> {
  return ctx.loaders.get<string, RoleGrant>('grantById', async (ids) => {
    const valid = uuids(ids);
    const rows = valid.length ? await ctx.db.getRepository(RoleGrant).findBy({ id: In(valid) }) : [];
    return byKeys(ids, rows, (g) => g.id);
  });
}

export function consumerById(ctx: Ctx): DataLoader<string, ChangeConsumer | null> {
  return ctx.loaders.get<string, ChangeConsumer>('consumerById', async (ids) => {
    const valid = uuids(ids);
    const rows = valid.length ? await ctx.db.getRepository(ChangeConsumer).findBy({ id: In(valid) }) : [];
    return byKeys(ids, rows, (c) => c.id);
  });
}

/** Each consumer's delivery rows, by feed name. */
export function deliveriesOfConsumer(ctx: Ctx): DataLoader<string, ChangeDelivery[] | null> {
  return ctx.loaders.get<string, ChangeDelivery[]>('deliveriesOfConsumer', async (ids) => {
    const valid = uuids(ids);
    const rows = valid.length
      ? await ctx.db.getRepository(ChangeDelivery).find({ where: { consumerId: In(valid) }, order: { feed: 'ASC' } })
      : [];
    return groupByKeys(ids, rows, (d) => d.consumerId);
  });
}
