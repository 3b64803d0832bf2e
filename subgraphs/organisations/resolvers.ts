import { Role } from '../kit/roles';
import { scalarResolvers, toDateText } from '../kit/scalars';
import type { SubgraphContext, SubgraphResolvers } from '../kit/server';
import type { ResolvedUnit } from '../kit/admin-units/query';
import type { AppUser, CentreMembership, ChangeConsumer, ChangeDelivery, Organisation, RoleGrant } from './entities';
import * as consumers from './consumers';
import * as load from './loaders';
import * as mutations from './mutations';
import * as queries from './queries';
import { isGrantActive, isMembershipActive } from './status';

/*
 * The resolver map. Enum values map to what the database stores (roles as kit/roles.ts strings,
 * user kinds lowercase, levels 1-3), so resolvers never translate by hand. Entity references
 * resolve through the request's loaders (null when nothing matches).
 */

type Ctx = SubgraphContext;

const organisation = (ctx: Ctx, id: string | null) => (id ? load.organisationById(ctx).load(id) : null);

export const resolvers: SubgraphResolvers = {
  ...scalarResolvers,

  RoleName: { ...Role },
  UserKind: { USER: 'user', SERVICE: 'service' },
  AdministrativeLevel: { PROVINCE: 1, DISTRICT: 2, WARD: 3 },

  Query: {
    organisations: (_: unknown, a: { kind?: Organisation['kind'] | null }, ctx: Ctx) =>
      queries.organisations(ctx, a.kind),
    organisation: (_: unknown, a: { code: string }, ctx: Ctx) => load.organisationByCode(ctx).load(a.code),
    centreMembers: (_: unknown, a: { activeOn?: Date | null }, ctx: Ctx) => queries.centreMembers(ctx, a.activeOn),
    users: (_: unknown, a: Parameters<typeof queries.users>[1], ctx: Ctx) => queries.users(ctx, a),
    user: (_: unknown, a: { id: string }, ctx: Ctx) => load.userById(ctx).load(a.id),
    grants: (_: unknown, a: { userId: string; includeInactive?: boolean | null }, ctx: Ctx) =>
      queries.grants(ctx, a.userId, a.includeInactive),
    administrativeUnit: (_: unknown, a: { code: string; asOf?: Date | null }, ctx: Ctx) =>
      load.unitByCode(ctx, a.asOf ? toDateText(a.asOf) : null).load(a.code),
    administrativeUnits: (_: unknown, a: Parameters<typeof queries.administrativeUnits>[1], ctx: Ctx) =>
      queries.administrativeUnits(ctx, a),
    unitListVersions: (_: unknown, __: unknown, ctx: Ctx) => queries.unitListVersions(ctx),
    resolvePrincipal: (_: unknown, a: { subject: string }, ctx: Ctx) => queries.resolvePrincipal(ctx, a.subject),
    changeConsumers: (_: unknown, a: { active?: boolean | null }, ctx: Ctx) => consumers.changeConsumers(ctx, a.active),
    changeConsumer: (_: unknown, a: { id: string }, ctx: Ctx) => load.consumerById(ctx).load(a.id),
  },

  Mutation: {
    grantRole: (_: unknown, a: { input: mutations.GrantRoleInput }, ctx: Ctx) => mutations.grantRole(ctx, a.input),
    revokeRole: (_: unknown, a: { grantId: string; reason: string }, ctx: Ctx) =>
      mutations.revokeRole(ctx, a.grantId, a.reason),
    addCentreMember: (_: unknown, a: { input: mutations.AddCentreMemberInput }, ctx: Ctx) =>
      mutations.addCentreMember(ctx, a.input),
    endCentreMembership: (_: unknown, a: { id: string; validTo: Date }, ctx: Ctx) =>
      mutations.endCentreMembership(ctx, a.id, a.validTo),
    registerOrganisation: (_: unknown, a: { input: mutations.RegisterOrganisationInput }, ctx: Ctx) =>
      mutations.registerOrganisation(ctx, a.input),
    registerUser: (_: unknown, a: { input: mutations.RegisterUserInput }, ctx: Ctx) =>
      mutations.registerUser(ctx, a.input),
    registerChangeConsumer: (_: unknown, a: { input: consumers.RegisterChangeConsumerInput }, ctx: Ctx) =>
      consumers.registerChangeConsumer(ctx, a.input),
    updateChangeConsumer: (_: unknown, a: { id: string; input: consumers.UpdateChangeConsumerInput }, ctx: Ctx) =>
      consumers.updateChangeConsumer(ctx, a.id, a.input),
    rotateChangeConsumerSecret: (_: unknown, a: { id: string; overlapMinutes: number }, ctx: Ctx) =>
      consumers.rotateChangeConsumerSecret(ctx, a.id, a.overlapMinutes),
    redeliverChangeConsumer: (_: unknown, a: { id: string; feed: string }, ctx: Ctx) =>
      consumers.redeliverChangeConsumer(ctx, a.id, a.feed),
  },

  Organisation: {
    __resolveReference: (ref: { code: string }, ctx: Ctx) => load.organisationByCode(ctx).load(ref.code),
    parent: (o: Organisation, _: unknown, ctx: Ctx) => organisation(ctx, o.parentId),
    children: async (o: Organisation, _: unknown, ctx: Ctx) => (await load.organisationChildren(ctx).load(o.id)) ?? [],
    membership: async (o: Organisation, _: unknown, ctx: Ctx) => {
      const all = (await load.membershipsOfOrganisation(ctx).load(o.id)) ?? [];
      const day = queries.today();
      return all.find((m) => isMembershipActive(m, day)) ?? null;
    },
    memberships: async (o: Organisation, _: unknown, ctx: Ctx) =>
      (await load.membershipsOfOrganisation(ctx).load(o.id)) ?? [],
    users: async (o: Organisation, _: unknown, ctx: Ctx) => (await load.usersOfOrganisation(ctx).load(o.id)) ?? [],
  },

  CentreMembership: {
    organisation: (m: CentreMembership, _: unknown, ctx: Ctx) => organisation(ctx, m.organisationId),
    active: (m: CentreMembership) => isMembershipActive(m, queries.today()),
  },

  User: {
    __resolveReference: (ref: { id: string }, ctx: Ctx) => load.userById(ctx).load(ref.id),
    organisation: (u: AppUser, _: unknown, ctx: Ctx) => organisation(ctx, u.organisationId),
    grants: async (u: AppUser, a: { includeInactive?: boolean | null }, ctx: Ctx) =>
      queries.grants(ctx, u.id, a.includeInactive),
  },

  RoleGrant: {
    user: (g: RoleGrant, _: unknown, ctx: Ctx) => load.userById(ctx).load(g.userId),
    jurisdiction: (g: RoleGrant, _: unknown, ctx: Ctx) =>
      g.jurisdictionCode ? load.unitByCode(ctx, null).load(g.jurisdictionCode) : null,
    national: (g: RoleGrant) => g.jurisdictionCode === null,
    active: (g: RoleGrant) => isGrantActive(g, new Date()),
  },

  ChangeConsumer: {
    client: (c: ChangeConsumer, _: unknown, ctx: Ctx) => load.userById(ctx).load(c.userId),
    organisation: async (c: ChangeConsumer, _: unknown, ctx: Ctx) =>
      organisation(ctx, (await load.userById(ctx).load(c.userId))?.organisationId ?? null),
    hasSigningSecret: (c: ChangeConsumer) => c.secretCiphertext !== null,
    deliveries: async (c: ChangeConsumer, _: unknown, ctx: Ctx) =>
      (await load.deliveriesOfConsumer(ctx).load(c.id)) ?? [],
  },

  ChangeDelivery: {
    cursorSet: (d: ChangeDelivery) => d.cursor !== null,
    deliveredEvents: (d: ChangeDelivery) => Number(d.deliveredEvents),
    lagSeconds: (d: ChangeDelivery) => consumers.lagSeconds(d),
  },

  AdministrativeUnit: {
    __resolveReference: (ref: { code: string }, ctx: Ctx) => load.unitByCode(ctx, null).load(ref.code),
    parent: (u: ResolvedUnit, _: unknown, ctx: Ctx) =>
      u.parentCode ? load.unitByCode(ctx, u.asOf).load(u.parentCode) : null,
    children: async (u: ResolvedUnit, a: { asOf?: Date | null }, ctx: Ctx) => {
      const day = a.asOf ? toDateText(a.asOf) : (u.asOf ?? queries.today());
      return (await load.unitChildren(ctx, day).load(u.code)) ?? [];
    },
    listVersion: (u: ResolvedUnit, _: unknown, ctx: Ctx) => load.listVersionByName(ctx).load(u.listVersion),
  },
};
