import { byReference, changeFeedResolvers } from '../kit/changes';
import { Scope } from '../kit/roles';
import { movementResolvers } from './resolvers';

/** Movement's change feed (kit/changes.ts): records load as entity joins load them. */
export const movementChangeResolvers = changeFeedResolvers({
  field: 'movementChanges',
  eventType: 'MovementEvent',
  entityUnion: 'MovementEventEntity',
  readScope: Scope.MOVEMENT_READ,
  entities: { MovementDeclaration: byReference(movementResolvers, 'MovementDeclaration') },
});
