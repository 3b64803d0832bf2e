import type { EntityManager } from 'typeorm';
import { requireScope } from '../kit/authz';
import { badInput, conflict, notFound } from '../kit/errors';
import { Scope, type Role } from '../kit/roles';
import { toDateText } from '../kit/scalars';
import type { SubgraphContext } from '../kit/server';
import { calendarDay } from '../kit/admin-units/dates';
import { findUnits } from '../kit/admin-units/query';
import {
  AppUser,
  CentreMembership,
  Organisation,
  RoleGrant,
  type MembershipRole,
  type OrganisationKind,
  type UserKind,
} from './entities';
import * as v from './validation';

/*
 * Writes. Each checks its scope (defence in depth behind the gateway), validates its input, and
 * runs in one transaction so a failure leaves nothing behind. Rows that decide a conflict are
 * locked first (SELECT … FOR UPDATE), so concurrent calls are serialised and checked one by one.
 */

export interface GrantRoleInput {
  userId: string;
  role: Role;
  jurisdictionUnitCode?: string | null;
  includeDescendants?: boolean | null;
  validFrom?: Date | null;
  validTo?: Date | null;
}

export interface AddCentreMemberInput {
  organisationCode: string;
  role: MembershipRole;
  responsibility: string;
  decisionReference: string;
  validFrom: Date;
  validTo?: Date | null;
}

export interface RegisterOrganisationInput {
  code: string;
  name: string;
  shortName?: string | null;
  kind: OrganisationKind;
  parentCode?: string | null;
}

export interface RegisterUserInput {
  subject: string;
  kind: UserKind;
  displayName: string;
  organisationCode?: string | null;
  email?: string | null;
  phone?: string | null;
}

const isUniqueViolation = (e: unknown): boolean =>
  (e as { driverError?: { code?: unknown } }).driverError?.code === '23505';

async function lockUser(m: EntityManager, id: string): Promise<AppUser | null> {
  if (!v.isUuid(id)) return null;
  return m.getRepository(AppUser).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
}

async function lockOrganisation(m: EntityManager, code: string): Promise<Organisation | null> {
  return m.getRepository(Organisation).findOne({ where: { code }, lock: { mode: 'pessimistic_write' } });
}

/** An unrevoked grant of the same user, role and jurisdiction whose validity overlaps. */
async function overlappingGrant(
  m: EntityManager,
  g: { userId: string; role: string; jurisdictionCode: string | null; validFrom: Date; validTo: Date | null },
): Promise<RoleGrant | null> {
  return m
    .getRepository(RoleGrant)
    .createQueryBuilder('g')
    .where('g.user_id = :userId AND g.role = :role AND g.revoked_at IS NULL', g)
    .andWhere('g.jurisdiction_code IS NOT DISTINCT FROM :jurisdictionCode', g)
    .andWhere(`tstzrange(g.valid_from, g.valid_to, '[)') && tstzrange(:validFrom, :validTo, '[)')`, g)
    .getOne();
}

export async function grantRole(ctx: SubgraphContext, input: GrantRoleInput): Promise<RoleGrant> {
  requireScope(ctx.principal, Scope.GRANTS_WRITE);
  const validFrom = input.validFrom ?? new Date();
  const validTo = input.validTo ?? null;
  if (validTo && validTo.getTime() <= validFrom.getTime()) throw badInput('validTo', 'must be after validFrom');
  const jurisdictionCode = v.optionalText('jurisdictionUnitCode', input.jurisdictionUnitCode, 16);

  return ctx.db.transaction(async (m) => {
    const user = await lockUser(m, input.userId);
    if (!user) throw badInput('userId', 'no user has this id');
    if (!user.active) throw badInput('userId', 'the user is deactivated');
    if (jurisdictionCode) {
      const day = calendarDay(validFrom);
      const [unit] = await findUnits(m, [jurisdictionCode], day);
      if (!unit)
        throw badInput('jurisdictionUnitCode', `no administrative unit has this code in the list in force on ${day}`);
    }
    const grant = { userId: user.id, role: input.role, jurisdictionCode, validFrom, validTo };
    const clash = await overlappingGrant(m, grant);
    if (clash) {
      throw conflict(
        `overlapping validity: the user already holds this role here from ${clash.validFrom.toISOString()}` +
          (clash.validTo ? ` to ${clash.validTo.toISOString()}` : ' (open-ended)'),
        'validFrom',
      );
    }
    const repo = m.getRepository(RoleGrant);
    const { identifiers } = await repo.insert({
      ...grant,
      includeDescendants: input.includeDescendants ?? true,
      grantedBy: ctx.principal.subject,
    });
    return repo.findOneByOrFail({ id: identifiers[0]!.id as string });
  });
}

export async function revokeRole(ctx: SubgraphContext, grantId: string, reasonInput: string): Promise<RoleGrant> {
  requireScope(ctx.principal, Scope.GRANTS_WRITE);
  const reason = v.requiredText('reason', reasonInput, v.LIMITS.revokeReason);
  if (!v.isUuid(grantId)) throw notFound('Role grant');
  return ctx.db.transaction(async (m) => {
    const repo = m.getRepository(RoleGrant);
    const grant = await repo.findOne({ where: { id: grantId }, lock: { mode: 'pessimistic_write' } });
    if (!grant) throw notFound('Role grant');
    if (grant.revokedAt) throw conflict('the grant is already revoked', 'grantId');
    await repo
      .createQueryBuilder()
      .update()
      .set({ revokedBy: ctx.principal.subject, revokedAt: () => 'now()', revokeReason: reason })
      .where('id = :id', { id: grantId })
      .execute();
    return repo.findOneByOrFail({ id: grantId });
  });
}

/** Any membership of the organisation whose days (end inclusive) overlap the given ones. */
async function overlappingMembership(
  m: EntityManager,
  organisationId: string,
  validFrom: string,
  validTo: string | null,
): Promise<CentreMembership | null> {
  return m
    .getRepository(CentreMembership)
    .createQueryBuilder('cm')
    .where('cm.organisation_id = :organisationId', { organisationId })
    .andWhere(`daterange(cm.valid_from, cm.valid_to, '[]') && daterange(:validFrom, :validTo, '[]')`, {
      validFrom,
      validTo,
    })
    .getOne();
}

export async function addCentreMember(ctx: SubgraphContext, input: AddCentreMemberInput): Promise<CentreMembership> {
  requireScope(ctx.principal, Scope.ORG_WRITE);
  const responsibility = v.requiredText('responsibility', input.responsibility, v.LIMITS.responsibility);
  const decisionReference = v.requiredText('decisionReference', input.decisionReference, v.LIMITS.decisionReference);
  const validFrom = toDateText(input.validFrom);
  const validTo = input.validTo ? toDateText(input.validTo) : null;
  if (validTo && validTo < validFrom) throw badInput('validTo', 'must not be before validFrom');

  return ctx.db.transaction(async (m) => {
    const organisation = await lockOrganisation(m, input.organisationCode);
    if (!organisation) throw badInput('organisationCode', 'no organisation has this code');
    const clash = await overlappingMembership(m, organisation.id, validFrom, validTo);
    if (clash) {
      throw conflict(
        `overlapping validity: the organisation is a member from ${clash.validFrom}` +
          (clash.validTo ? ` to ${clash.validTo}` : ' (open-ended)'),
        'validFrom',
      );
    }
    const repo = m.getRepository(CentreMembership);
    const { identifiers } = await repo.insert({
      organisationId: organisation.id,
      role: input.role,
      responsibility,
      decisionReference,
      validFrom,
      validTo,
      createdBy: ctx.principal.subject,
    });
    return repo.findOneByOrFail({ id: identifiers[0]!.id as string });
  });
}

export async function endCentreMembership(
  ctx: SubgraphContext,
  id: string,
  validToInput: Date,
): Promise<CentreMembership> {
  requireScope(ctx.principal, Scope.ORG_WRITE);
  const validTo = toDateText(validToInput);
  if (!v.isUuid(id)) throw notFound('Centre membership');
  return ctx.db.transaction(async (m) => {
    const repo = m.getRepository(CentreMembership);
    const membership = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!membership) throw notFound('Centre membership');
    if (membership.endedAt) throw conflict('the membership has already ended', 'id');
    if (validTo < membership.validFrom) {
      throw badInput('validTo', `must not be before the membership's validFrom (${membership.validFrom})`);
    }
    if (membership.validTo && validTo > membership.validTo) {
      throw badInput('validTo', `must not be after the membership's current end (${membership.validTo})`);
    }
    await repo
      .createQueryBuilder()
      .update()
      .set({ validTo, endedBy: ctx.principal.subject, endedAt: () => 'now()' })
      .where('id = :id', { id })
      .execute();
    return repo.findOneByOrFail({ id });
  });
}

export async function registerOrganisation(
  ctx: SubgraphContext,
  input: RegisterOrganisationInput,
): Promise<Organisation> {
  requireScope(ctx.principal, Scope.ORG_WRITE);
  const code = v.organisationCode('code', input.code);
  const name = v.requiredText('name', input.name, v.LIMITS.organisationName);
  const shortName = v.optionalText('shortName', input.shortName, v.LIMITS.shortName);
  return ctx.db.transaction(async (m) => {
    const repo = m.getRepository(Organisation);
    let parentId: string | null = null;
    if (input.parentCode) {
      const parent = await repo.findOneBy({ code: input.parentCode });
      if (!parent) throw badInput('parentCode', 'no organisation has this code');
      parentId = parent.id;
    }
    if (await repo.existsBy({ code })) throw conflict('an organisation with this code already exists', 'code');
    try {
      await repo.insert({ code, name, shortName, kind: input.kind, parentId, createdBy: ctx.principal.subject });
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict('an organisation with this code already exists', 'code');
      throw e;
    }
    return repo.findOneByOrFail({ code });
  });
}

export async function registerUser(ctx: SubgraphContext, input: RegisterUserInput): Promise<AppUser> {
  requireScope(ctx.principal, Scope.GRANTS_WRITE);
  const values = {
    subject: v.subject('subject', input.subject),
    kind: input.kind,
    displayName: v.requiredText('displayName', input.displayName, v.LIMITS.displayName),
    email: v.email('email', input.email),
    phone: v.phone('phone', input.phone),
    createdBy: ctx.principal.subject,
  };
  return ctx.db.transaction(async (m) => {
    let organisationId: string | null = null;
    if (input.organisationCode) {
      const organisation = await m.getRepository(Organisation).findOneBy({ code: input.organisationCode });
      if (!organisation) throw badInput('organisationCode', 'no organisation has this code');
      organisationId = organisation.id;
    }
    const repo = m.getRepository(AppUser);
    if (await repo.existsBy({ subject: values.subject })) {
      throw conflict('a user with this subject already exists', 'subject');
    }
    try {
      await repo.insert({ ...values, organisationId });
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict('a user with this subject already exists', 'subject');
      throw e;
    }
    return repo.findOneByOrFail({ subject: values.subject });
  });
}
