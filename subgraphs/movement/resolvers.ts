import { requireScope } from '../kit/authz';
import { codeRef } from '../kit/refs';
import { Scope } from '../kit/roles';
import { scalarResolvers } from '../kit/scalars';
import type { SubgraphContext, SubgraphResolvers } from '../kit/server';
import type { MovementDeclarationRow } from './entities';
import { movementLoader, movementsByCitizenLoader } from './loaders';

interface CitizenRef {
  ref: string;
}

export const movementResolvers: SubgraphResolvers = {
  ...scalarResolvers,
  Query: {
    movement: (_: unknown, args: { id: string }, ctx: SubgraphContext): Promise<MovementDeclarationRow | null> => {
      requireScope(ctx.principal, Scope.MOVEMENT_READ);
      return movementLoader(ctx).load(args.id);
    },
  },
  Citizen: {
    // declarations owns Citizen; this subgraph only adds the citizen's movements (possibly none),
    // so any reference resolves to itself.
    __resolveReference: (ref: CitizenRef, ctx: SubgraphContext): CitizenRef => {
      requireScope(ctx.principal, Scope.MOVEMENT_READ);
      return { ref: ref.ref };
    },
    movements: async (citizen: CitizenRef, args: { since?: Date | null }, ctx: SubgraphContext) => {
      requireScope(ctx.principal, Scope.MOVEMENT_READ);
      return (await movementsByCitizenLoader(ctx, args.since ?? null).load(citizen.ref)) ?? [];
    },
  },
  MovementDeclaration: {
    __resolveReference: (ref: { id: string }, ctx: SubgraphContext): Promise<MovementDeclarationRow | null> => {
      requireScope(ctx.principal, Scope.MOVEMENT_READ);
      return movementLoader(ctx).load(ref.id);
    },
    citizen: (m: MovementDeclarationRow): CitizenRef => ({ ref: m.citizenRef }),
    originProvince: (m: MovementDeclarationRow) => codeRef(m.originProvinceCode),
    originDistrict: (m: MovementDeclarationRow) => codeRef(m.originDistrictCode),
    originWard: (m: MovementDeclarationRow) => codeRef(m.originWardCode),
    destinationProvince: (m: MovementDeclarationRow) => codeRef(m.destinationProvinceCode),
    destinationDistrict: (m: MovementDeclarationRow) => codeRef(m.destinationDistrictCode),
    destinationWard: (m: MovementDeclarationRow) => codeRef(m.destinationWardCode),
  },
};
