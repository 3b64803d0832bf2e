import { byReference, changeFeedResolvers } from '../kit/changes';
import { Scope } from '../kit/roles';
import { checkpointsResolvers } from './resolvers';

/** Checkpoints' change feed (kit/changes.ts): records load as entity joins load them. */
export const checkpointsChangeResolvers = changeFeedResolvers({
  field: 'checkpointChanges',
  eventType: 'CheckpointEvent',
  entityUnion: 'CheckpointEventEntity',
  readScope: Scope.CHECKPOINTS_READ,
  entities: {
    Checkpoint: byReference(checkpointsResolvers, 'Checkpoint'),
    Passage: byReference(checkpointsResolvers, 'Passage'),
  },
});
