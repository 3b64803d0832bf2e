import { In } from 'typeorm';
import { byReference, changeFeedResolvers } from '../kit/changes';
import { byKeys } from '../kit/loaders';
import { isUuid } from '../kit/refs';
import { Scope } from '../kit/roles';
import type { SubgraphContext } from '../kit/server';
import { MonitoringPeriodRow } from './entities';
import { visible } from './jurisdiction';
import { declarationsResolvers } from './resolvers';

/** Monitoring periods by id, in the caller's jurisdiction (a miss otherwise). */
function monitoringPeriodById(ctx: SubgraphContext) {
  return ctx.loaders.get<string, MonitoringPeriodRow>('monitoringPeriodById', async (ids) => {
    const valid = ids.filter(isUuid);
    const rows = valid.length ? await ctx.db.getRepository(MonitoringPeriodRow).findBy({ id: In(valid) }) : [];
    return byKeys(ids, visible(ctx.principal, rows), (r) => r.id);
  });
}

/** Declarations' change feed (kit/changes.ts): records load as entity joins load them. */
export const declarationsChangeResolvers = changeFeedResolvers({
  field: 'declarationChanges',
  eventType: 'DeclarationEvent',
  entityUnion: 'DeclarationEventEntity',
  readScope: Scope.DECLARATIONS_READ,
  entities: {
    Citizen: byReference(declarationsResolvers, 'Citizen', 'ref'),
    HealthDeclaration: byReference(declarationsResolvers, 'HealthDeclaration'),
    MonitoringPeriod: (id, ctx) => monitoringPeriodById(ctx).load(id),
  },
});
