import { changeFeedResolvers } from '../kit/changes';
import { Scope } from '../kit/roles';
import type { SubgraphContext } from '../kit/server';
import { checkpointsResolvers } from './resolvers';

type Ref = (ref: { id: string }, ctx: SubgraphContext) => unknown;
const byId = (type: 'Checkpoint' | 'Passage') => (id: string, ctx: SubgraphContext) =>
  (checkpointsResolvers[type] as { __resolveReference: Ref }).__resolveReference({ id }, ctx);

/** Checkpoints' change feed (kit/changes.ts): records load as entity joins load them. */
export const checkpointsChangeResolvers = changeFeedResolvers({
  field: 'checkpointChanges',
  eventType: 'CheckpointEvent',
  entityUnion: 'CheckpointEventEntity',
  readScope: Scope.CHECKPOINTS_READ,
  entities: { Checkpoint: byId('Checkpoint'), Passage: byId('Passage') },
});
