import { requireScope } from '../kit/authz';
import { requirePurpose } from '../kit/purpose';
import { codeRef, isUuid } from '../kit/refs';
import { Scope } from '../kit/roles';
import { scalarResolvers } from '../kit/scalars';
import type { SubgraphContext, SubgraphResolvers } from '../kit/server';
import type { CheckpointOperatorRow, CheckpointRow, CheckpointStatus, PassageRow } from './entities';
import * as load from './loaders';
import * as mutations from './mutations';
import * as passages from './passages';
import * as queries from './queries';

/*
 * The resolver map. Enum values are what the database stores, so nothing is translated by hand.
 * References to other subgraphs' entities are returned as their keys (null when none is stored);
 * the gateway resolves the rest. Reads check `checkpoints:read` (defence in depth behind the
 * gateway; field-level rules come from the schema's @access directives). Record-level jurisdiction
 * is applied by the loaders and queries (access.ts), so `__resolveReference` and nested fields answer
 * a record outside it exactly as a missing one.
 */

type Ctx = SubgraphContext;
const canRead = (ctx: Ctx) => requireScope(ctx.principal, Scope.CHECKPOINTS_READ);

export const checkpointsResolvers: SubgraphResolvers = {
  ...scalarResolvers,

  Query: {
    checkpoint: (_: unknown, a: { id: string }, ctx: Ctx) => {
      canRead(ctx);
      return load.checkpointById(ctx).load(a.id);
    },
    checkpoints: (_: unknown, a: queries.CheckpointListArgs, ctx: Ctx) => {
      canRead(ctx);
      return queries.listCheckpoints(ctx, a);
    },
    passages: (_: unknown, a: queries.PassageListArgs, ctx: Ctx) => queries.listPassages(ctx, a),
    checkpointLoad: (_: unknown, a: Parameters<typeof queries.checkpointLoad>[1], ctx: Ctx) =>
      queries.checkpointLoad(ctx, a),
    coPresence: (_: unknown, a: Parameters<typeof queries.coPresence>[1], ctx: Ctx) => queries.coPresence(ctx, a),
  },

  Mutation: {
    registerCheckpoint: (_: unknown, a: { input: mutations.RegisterCheckpointInput }, ctx: Ctx) =>
      mutations.registerCheckpoint(ctx, a.input),
    updateCheckpoint: (_: unknown, a: { id: string; input: mutations.UpdateCheckpointInput }, ctx: Ctx) =>
      mutations.updateCheckpoint(ctx, a.id, a.input),
    closeCheckpoint: (_: unknown, a: { id: string; reason: string }, ctx: Ctx) =>
      mutations.closeCheckpoint(ctx, a.id, a.reason),
    assignOperator: (
      _: unknown,
      a: { checkpointId: string; userId: string; operatorSubject?: string | null },
      ctx: Ctx,
    ) => mutations.assignOperator(ctx, a.checkpointId, a.userId, a.operatorSubject ?? null),
    removeOperator: (_: unknown, a: { checkpointId: string; userId: string }, ctx: Ctx) =>
      mutations.removeOperator(ctx, a.checkpointId, a.userId),
    recordPassage: (_: unknown, a: { input: passages.PassageInput; idempotencyKey?: string | null }, ctx: Ctx) =>
      passages.recordPassage(ctx, a.input, a.idempotencyKey),
    recordPassagesBatch: (_: unknown, a: { deviceId: string; passages: passages.BatchPassageInput[] }, ctx: Ctx) =>
      passages.recordPassagesBatch(ctx, a.deviceId, a.passages),
  },

  Checkpoint: {
    __resolveReference: (ref: { id: string }, ctx: Ctx) => {
      canRead(ctx);
      return load.checkpointById(ctx).load(ref.id);
    },
    province: (c: CheckpointRow) => codeRef(c.provinceCode),
    district: (c: CheckpointRow) => codeRef(c.districtCode),
    ward: (c: CheckpointRow) => codeRef(c.wardCode),
    operator: (c: CheckpointRow) => codeRef(c.operatorCode),
    operators: async (c: CheckpointRow, _: unknown, ctx: Ctx) =>
      ((await load.assignmentsOfCheckpoint(ctx, false).load(c.id)) ?? []).map((a) => ({ id: a.userId })),
    operatorAssignments: async (c: CheckpointRow, a: { includeRemoved?: boolean | null }, ctx: Ctx) =>
      (await load.assignmentsOfCheckpoint(ctx, a.includeRemoved ?? false).load(c.id)) ?? [],
  },

  OperatorAssignment: {
    checkpoint: (a: CheckpointOperatorRow, _: unknown, ctx: Ctx) => load.checkpointById(ctx).load(a.checkpointId),
    user: (a: CheckpointOperatorRow) => ({ id: a.userId }),
    active: (a: CheckpointOperatorRow) => a.removedAt === null,
  },

  Passage: {
    __resolveReference: (ref: { id: string }, ctx: Ctx) => {
      canRead(ctx);
      return load.passageById(ctx).load(ref.id);
    },
    citizen: (p: PassageRow) => ({ ref: p.citizenRef }),
    checkpoint: (p: PassageRow, _: unknown, ctx: Ctx) => load.checkpointById(ctx).load(p.checkpointId),
    movementDeclaration: (p: PassageRow) => (p.movementDeclarationId ? { id: p.movementDeclarationId } : null),
    operator: (p: PassageRow) => (p.operatorUserId ? { id: p.operatorUserId } : null),
  },

  CoPresentPassage: {
    near: (c: queries.CoPresentPassage, _: unknown, ctx: Ctx) => load.passageById(ctx).load(c.nearId),
  },

  Citizen: {
    // Owned by declarations: any ref is a valid reference here (a person without passages has none).
    __resolveReference: (ref: { ref: string }) => ({ ref: ref.ref }),
    // Part of a person's timeline: needs a declared purpose; only in-jurisdiction passages.
    passages: async (c: { ref: string }, a: { since?: Date | null }, ctx: Ctx) => {
      canRead(ctx);
      requirePurpose(ctx.principal, 'Citizen.passages');
      return (await load.passagesOfCitizen(ctx, a.since ?? null).load(c.ref)) ?? [];
    },
  },

  MovementDeclaration: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    // Only the passages at checkpoints in the caller's jurisdiction.
    passages: async (d: { id: string }, _: unknown, ctx: Ctx) => {
      canRead(ctx);
      return isUuid(d.id) ? ((await load.passagesOfMovement(ctx).load(d.id)) ?? []) : [];
    },
  },

  Organisation: {
    __resolveReference: (ref: { code: string }) => ({ code: ref.code }),
    checkpoints: async (o: { code: string }, a: { status?: CheckpointStatus | null }, ctx: Ctx) => {
      canRead(ctx);
      return (await load.checkpointsOfOrganisation(ctx, a.status ?? null).load(o.code)) ?? [];
    },
  },
};
