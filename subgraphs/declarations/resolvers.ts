import { requireScope } from '../kit/authz';
import { codeRef } from '../kit/refs';
import { Scope } from '../kit/roles';
import { scalarResolvers } from '../kit/scalars';
import type { SubgraphContext, SubgraphResolvers } from '../kit/server';
import type { CitizenRow, DeclarationKind, HealthDeclarationRow } from './entities';
import { citizenLoader, declarationLoader, declarationsByCitizenLoader } from './loaders';

export const declarationsResolvers: SubgraphResolvers = {
  ...scalarResolvers,
  Query: {
    citizen: (_: unknown, args: { ref: string }, ctx: SubgraphContext): Promise<CitizenRow | null> => {
      requireScope(ctx.principal, Scope.DECLARATIONS_READ);
      return citizenLoader(ctx).load(args.ref);
    },
    declaration: (_: unknown, args: { id: string }, ctx: SubgraphContext): Promise<HealthDeclarationRow | null> => {
      requireScope(ctx.principal, Scope.DECLARATIONS_READ);
      return declarationLoader(ctx).load(args.id);
    },
  },
  Citizen: {
    __resolveReference: (ref: { ref: string }, ctx: SubgraphContext): Promise<CitizenRow | null> => {
      requireScope(ctx.principal, Scope.DECLARATIONS_READ);
      return citizenLoader(ctx).load(ref.ref);
    },
    declarations: async (
      citizen: { ref: string },
      args: { since?: Date | null; kinds?: DeclarationKind[] | null },
      ctx: SubgraphContext,
    ): Promise<HealthDeclarationRow[]> => {
      requireScope(ctx.principal, Scope.DECLARATIONS_READ);
      const filter = { since: args.since ?? null, kinds: args.kinds ?? null };
      return (await declarationsByCitizenLoader(ctx, filter).load(citizen.ref)) ?? [];
    },
  },
  HealthDeclaration: {
    __resolveReference: (ref: { id: string }, ctx: SubgraphContext): Promise<HealthDeclarationRow | null> => {
      requireScope(ctx.principal, Scope.DECLARATIONS_READ);
      return declarationLoader(ctx).load(ref.id);
    },
    citizen: (d: HealthDeclarationRow) => ({ ref: d.citizenRef }),
    province: (d: HealthDeclarationRow) => codeRef(d.provinceCode),
    district: (d: HealthDeclarationRow) => codeRef(d.districtCode),
    ward: (d: HealthDeclarationRow) => codeRef(d.wardCode),
  },
};
