import { requireScope } from '../kit/authz';
import { codeRef } from '../kit/refs';
import { Scope } from '../kit/roles';
import { scalarResolvers } from '../kit/scalars';
import type { SubgraphContext, SubgraphResolvers } from '../kit/server';
import type { CheckpointRow } from './entities';
import { checkpointLoader } from './loaders';
import { listCheckpoints, type CheckpointListArgs } from './queries';

export const checkpointsResolvers: SubgraphResolvers = {
  ...scalarResolvers,
  Query: {
    checkpoint: (_: unknown, args: { id: string }, ctx: SubgraphContext): Promise<CheckpointRow | null> => {
      requireScope(ctx.principal, Scope.CHECKPOINTS_READ);
      return checkpointLoader(ctx).load(args.id);
    },
    checkpoints: (_: unknown, args: CheckpointListArgs, ctx: SubgraphContext) => {
      requireScope(ctx.principal, Scope.CHECKPOINTS_READ);
      return listCheckpoints(ctx.db, args);
    },
  },
  Checkpoint: {
    __resolveReference: (ref: { id: string }, ctx: SubgraphContext): Promise<CheckpointRow | null> => {
      requireScope(ctx.principal, Scope.CHECKPOINTS_READ);
      return checkpointLoader(ctx).load(ref.id);
    },
    province: (c: CheckpointRow) => codeRef(c.provinceCode),
    district: (c: CheckpointRow) => codeRef(c.districtCode),
    ward: (c: CheckpointRow) => codeRef(c.wardCode),
    operator: (c: CheckpointRow) => codeRef(c.operatorCode),
  },
};
