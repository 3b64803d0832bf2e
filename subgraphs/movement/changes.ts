import { changeFeedResolvers } from '../kit/changes';
import { Scope } from '../kit/roles';
import type { SubgraphContext } from '../kit/server';
import { movementResolvers } from './resolvers';

type Ref = (ref: { id: string }, ctx: SubgraphContext) => unknown;

/** Movement's change feed (kit/changes.ts): records load as entity joins load them. */
export const movementChangeResolvers = changeFeedResolvers({
  field: 'movementChanges',
  eventType: 'MovementEvent',
  entityUnion: 'MovementEventEntity',
  readScope: Scope.MOVEMENT_READ,
  entities: {
    MovementDeclaration: (id, ctx) =>
      (movementResolvers.MovementDeclaration as { __resolveReference: Ref }).__resolveReference({ id }, ctx),
  },
});
