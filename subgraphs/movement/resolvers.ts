import type { GraphQLResolveInfo } from 'graphql';
import { requireScope, requireScopes } from '../kit/authz';
import { requirePurpose } from '../kit/purpose';
import type { PageArgs } from '../kit/pagination';
import { codeRef } from '../kit/refs';
import { Scope } from '../kit/roles';
import { scalarResolvers } from '../kit/scalars';
import type { SubgraphContext, SubgraphResolvers } from '../kit/server';
import { viaEntityJoin } from './jurisdiction';
import * as load from './loaders';
import * as mutations from './mutations';
import * as queries from './queries';
import type { Movement } from './store';
import type { DeclareMovementInput } from './validation';

/*
 * The resolver map. Reads need movement:read (checked here as defence in depth; field-level rules
 * come from the schema's `@access`); entity references and list-to-detail hops go through the
 * request's loaders. References to other subgraphs' entities (Citizen, AdministrativeUnit) are
 * returned as keys only.
 */

type Ctx = SubgraphContext;

interface CitizenRef {
  ref: string;
}

interface UnitArgs extends PageArgs {
  from?: Date | null;
  to?: Date | null;
}

const read = (ctx: Ctx): void => requireScope(ctx.principal, Scope.MOVEMENT_READ);
const citizen = (ref: string): CitizenRef => ({ ref });

export const movementResolvers: SubgraphResolvers = {
  ...scalarResolvers,

  Query: {
    movement: (_: unknown, a: { id: string }, ctx: Ctx) => {
      read(ctx);
      return load.movementById(ctx).load(a.id);
    },
    inboundMovements: (_: unknown, a: UnitArgs & { destinationUnitCode: string }, ctx: Ctx) => {
      read(ctx);
      return queries.unitMovements(ctx, 'inbound', { ...a, unitCode: a.destinationUnitCode });
    },
    outboundMovements: (_: unknown, a: UnitArgs & { originUnitCode: string }, ctx: Ctx) => {
      read(ctx);
      return queries.unitMovements(ctx, 'outbound', { ...a, unitCode: a.originUnitCode });
    },
    passengersOnConveyance: (_: unknown, a: { conveyanceId: string; date: Date }, ctx: Ctx) => {
      // Looking people up by a flight or a plate is a personal-data search.
      requireScopes(ctx.principal, [[Scope.MOVEMENT_READ, Scope.PII_READ]]);
      requirePurpose(ctx.principal, 'A search by conveyance');
      return queries.passengersOnConveyance(ctx, a.conveyanceId, a.date);
    },
  },

  Mutation: {
    declareMovement: (_: unknown, a: { input: DeclareMovementInput; idempotencyKey?: string | null }, ctx: Ctx) =>
      mutations.declareMovement(ctx, a.input, a.idempotencyKey),
    cancelMovement: (_: unknown, a: { id: string; reason: string }, ctx: Ctx) =>
      mutations.cancelMovement(ctx, a.id, a.reason),
    approveMovement: (_: unknown, a: { id: string; note?: string | null }, ctx: Ctx) =>
      mutations.approveMovement(ctx, a.id, a.note),
    rejectMovement: (_: unknown, a: { id: string; reason: string }, ctx: Ctx) =>
      mutations.rejectMovement(ctx, a.id, a.reason),
  },

  Citizen: {
    // declarations owns Citizen; this subgraph only adds the citizen's movements (possibly none),
    // so any reference resolves to itself.
    __resolveReference: (ref: CitizenRef, ctx: Ctx): CitizenRef => {
      read(ctx);
      return citizen(ref.ref);
    },
    movements: async (c: CitizenRef, a: { since?: Date | null }, ctx: Ctx, info: GraphQLResolveInfo) => {
      read(ctx);
      // Citizen is owned elsewhere, so this is always an entity join: a person's timeline.
      if (viaEntityJoin(info)) requirePurpose(ctx.principal, "A citizen's movements");
      return (await load.movementsOfCitizen(ctx, a.since ?? null).load(c.ref)) ?? [];
    },
  },

  MovementDeclaration: {
    __resolveReference: (ref: { id: string }, ctx: Ctx) => {
      read(ctx);
      return load.movementById(ctx).load(ref.id);
    },
    citizen: (m: Movement) => citizen(m.citizenRef),
    companions: (m: Movement) => m.companionRefs.map(citizen),
    originProvince: (m: Movement) => codeRef(m.originProvinceCode),
    originDistrict: (m: Movement) => codeRef(m.originDistrictCode),
    originWard: (m: Movement) => codeRef(m.originWardCode),
    destinationProvince: (m: Movement) => codeRef(m.destinationProvinceCode),
    destinationDistrict: (m: Movement) => codeRef(m.destinationDistrictCode),
    destinationWard: (m: Movement) => codeRef(m.destinationWardCode),
    transitUnits: (m: Movement) => m.transitUnitCodes.map(codeRef),
    statusHistory: async (m: Movement, _: unknown, ctx: Ctx) => (await load.statusHistory(ctx).load(m.id)) ?? [],
  },
};
