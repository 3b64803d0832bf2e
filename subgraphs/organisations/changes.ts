import { changeFeedResolvers } from '../kit/changes';
import { Scope } from '../kit/roles';
import type { SubgraphContext } from '../kit/server';
import * as load from './loaders';

/**
 * Organisations' change feed (kit/changes.ts): each record loads through the request's loaders,
 * exactly as the graph serves it elsewhere, so the field rules apply to payloads too. A
 * ChangeConsumer's payload is the consumer type, which has no secret fields.
 */
export const organisationsChangeResolvers = changeFeedResolvers({
  field: 'organisationChanges',
  eventType: 'OrganisationEvent',
  entityUnion: 'OrganisationEventEntity',
  readScope: Scope.ORG_READ,
  entities: {
    Organisation: (code: string, ctx: SubgraphContext) => load.organisationByCode(ctx).load(code),
    User: (id: string, ctx: SubgraphContext) => load.userById(ctx).load(id),
    RoleGrant: (id: string, ctx: SubgraphContext) => load.grantById(ctx).load(id),
    CentreMembership: (id: string, ctx: SubgraphContext) => load.membershipById(ctx).load(id),
    AdministrativeUnit: (code: string, ctx: SubgraphContext) => load.unitByCode(ctx, null).load(code),
    UnitListVersion: (name: string, ctx: SubgraphContext) => load.listVersionByName(ctx).load(name),
    ChangeConsumer: (id: string, ctx: SubgraphContext) => load.consumerById(ctx).load(id),
  },
});
