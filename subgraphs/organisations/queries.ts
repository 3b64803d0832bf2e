import { requireScope } from '../kit/authz';
import { badInput } from '../kit/errors';
import { decodeCursor, pageSize, toConnection, type Connection, type PageArgs } from '../kit/pagination';
import { Scope } from '../kit/roles';
import { toDateText } from '../kit/scalars';
import type { SubgraphContext } from '../kit/server';
import { calendarDay } from '../kit/admin-units/dates';
import type { UnitLevel } from '../kit/admin-units/csv';
import { listUnits, listVersions, type ListVersionRow, type ResolvedUnit } from '../kit/admin-units/query';
import {
  AppUser,
  CentreMembership,
  MEMBERSHIP_ROLES,
  Organisation,
  type RoleGrant,
  type OrganisationKind,
} from './entities';
import * as load from './loaders';
import { isUuid } from './validation';
import { isGrantActive } from './status';

/*
 * Read queries. Field-level rules come from the schema's `@access` (applied by the gateway and the
 * shield); these resolvers only validate arguments and shape results. The exception is
 * resolvePrincipal, which checks its internal scope itself.
 */

/** Today as a calendar day in Viet Nam. */
export const today = (): string => calendarDay(new Date());

export async function organisations(ctx: SubgraphContext, kind?: OrganisationKind | null): Promise<Organisation[]> {
  return ctx.db.getRepository(Organisation).find({ where: kind ? { kind } : {}, order: { code: 'ASC' } });
}

/** Memberships in force on a day, director first, then by organisation code. */
export async function centreMembers(ctx: SubgraphContext, activeOn?: Date | null): Promise<CentreMembership[]> {
  const day = activeOn ? toDateText(activeOn) : today();
  const rows = await ctx.db
    .getRepository(CentreMembership)
    .createQueryBuilder('cm')
    .innerJoinAndSelect('cm.organisation', 'o')
    .where('cm.valid_from <= :day AND (cm.valid_to IS NULL OR cm.valid_to >= :day)', { day })
    .getMany();
  const rank = (m: CentreMembership) => MEMBERSHIP_ROLES.indexOf(m.role);
  return rows.sort((a, b) => rank(a) - rank(b) || (a.organisation!.code < b.organisation!.code ? -1 : 1));
}

export async function users(
  ctx: SubgraphContext,
  args: PageArgs & { organisationCode?: string | null },
): Promise<Connection<AppUser>> {
  const size = pageSize(args.first);
  const after = decodeCursor(args.after, 1);
  const qb = ctx.db
    .getRepository(AppUser)
    .createQueryBuilder('u')
    .orderBy('u.subject', 'ASC')
    .limit(size + 1);
  if (args.organisationCode) {
    const organisation = await load.organisationByCode(ctx).load(args.organisationCode);
    if (!organisation) return toConnection([], size, () => []);
    qb.andWhere('u.organisation_id = :organisationId', { organisationId: organisation.id });
  }
  if (after) qb.andWhere('u.subject > :after', { after: String(after[0]) });
  return toConnection(await qb.getMany(), size, (u) => [u.subject]);
}

export async function grants(
  ctx: SubgraphContext,
  userId: string,
  includeInactive?: boolean | null,
): Promise<RoleGrant[]> {
  if (!isUuid(userId)) throw badInput('userId', 'must be a user id (UUID)');
  const all = (await load.grantsOfUser(ctx).load(userId)) ?? [];
  return includeInactive ? all : all.filter((g) => isGrantActive(g, new Date()));
}

export async function administrativeUnits(
  ctx: SubgraphContext,
  args: PageArgs & { parentCode?: string | null; level?: UnitLevel | null; asOf?: Date | null },
): Promise<Connection<ResolvedUnit>> {
  const size = pageSize(args.first);
  const after = decodeCursor(args.after, 1);
  const rows = await listUnits(ctx.db, {
    asOf: args.asOf ? toDateText(args.asOf) : today(),
    parentCodes: args.parentCode ? [args.parentCode] : null,
    level: args.level ?? null,
    after: after ? String(after[0]) : null,
    limit: size + 1,
  });
  return toConnection(rows, size, (u) => [u.code]);
}

export const unitListVersions = (ctx: SubgraphContext): Promise<ListVersionRow[]> => listVersions(ctx.db);

export interface PrincipalGrants {
  subject: string;
  userId: string;
  kind: string;
  organisationCode: string | null;
  grants: { role: string; unitCode: string | null; includeDescendants: boolean }[];
}

/**
 * The gateway's lookup of a caller: an active user's grants in force now (not revoked, validFrom
 * <= now < validTo). Null when no active user has the subject.
 */
export async function resolvePrincipal(ctx: SubgraphContext, subject: string): Promise<PrincipalGrants | null> {
  requireScope(ctx.principal, Scope.INTERNAL_PRINCIPAL);
  const [user]: { id: string; subject: string; kind: string; organisation_code: string | null }[] = await ctx.db.query(
    `SELECT u.id, u.subject, u.kind, o.code AS organisation_code
       FROM app_user u LEFT JOIN organisation o ON o.id = u.organisation_id
       WHERE u.subject = $1 AND u.active`,
    [subject],
  );
  if (!user) return null;
  const rows: { role: string; jurisdiction_code: string | null; include_descendants: boolean }[] = await ctx.db.query(
    `SELECT role, jurisdiction_code, include_descendants FROM role_grant
     WHERE user_id = $1 AND revoked_at IS NULL AND valid_from <= now() AND (valid_to IS NULL OR now() < valid_to)
     ORDER BY role, jurisdiction_code NULLS FIRST, include_descendants`,
    [user.id],
  );
  return {
    subject: user.subject,
    userId: user.id,
    kind: user.kind,
    organisationCode: user.organisation_code,
    grants: rows.map((r) => ({
      role: r.role,
      unitCode: r.jurisdiction_code,
      includeDescendants: r.include_descendants,
    })),
  };
}
