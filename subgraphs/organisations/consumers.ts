import type { EntityManager } from 'typeorm';
import { requireScope } from '../kit/authz';
import { badInput, conflict, notFound } from '../kit/errors';
import type { SubgraphName } from '../kit/module';
import { Scope } from '../kit/roles';
import { encryptSecret, generateSigningSecret, type SecretKeyRing } from '../kit/secrets';
import type { SubgraphContext } from '../kit/server';
import { checkWebhookUrl, EMPTY_ALLOW_LIST } from '../kit/ssrf';
import { AppUser, ChangeConsumer, ChangeDelivery } from './entities';
import * as v from './validation';

/*
 * Consumers of the change feeds (DESIGN §6): registration, changes, secret rotation and
 * redelivery. A consumer reads as its service client, so the client's role grants decide what it
 * receives. Webhook URLs pass the SSRF rule (kit/ssrf.ts); signing secrets are stored only
 * encrypted, bound to the consumer's id, and shown once in the answer that made them.
 */

/** The feeds (one per subgraph) and the entity types each carries. */
export const CHANGE_FEEDS: Readonly<Record<SubgraphName, readonly string[]>> = {
  organisations: [
    'Organisation',
    'User',
    'RoleGrant',
    'CentreMembership',
    'AdministrativeUnit',
    'UnitListVersion',
    'ChangeConsumer',
  ],
  declarations: ['Citizen', 'HealthDeclaration', 'MonitoringPeriod'],
  movement: ['MovementDeclaration'],
  feedback: ['Feedback'],
  checkpoints: ['Checkpoint', 'Passage'],
};
export const FEED_ENTITY_TYPES: readonly string[] = Object.values(CHANGE_FEEDS).flat();

export const CONSUMER_LIMITS = { name: 200, maxOverlapMinutes: 7 * 24 * 60 } as const;

export interface RegisterChangeConsumerInput {
  clientId: string;
  name: string;
  entityTypes: string[];
  webhookUrl?: string | null;
}

export interface UpdateChangeConsumerInput {
  name?: string | null;
  entityTypes?: string[] | null;
  webhookUrl?: string | null;
  active?: boolean | null;
}

export interface ChangeConsumerResult {
  consumer: ChangeConsumer;
  signingSecret: string | null;
}

function entityTypes(field: string, value: readonly string[]): string[] {
  const unique = [...new Set(value.map((t) => t.trim()))];
  if (!unique.length) throw badInput(field, 'must name at least one entity type');
  for (const t of unique) {
    if (!FEED_ENTITY_TYPES.includes(t)) {
      throw badInput(field, `unknown entity type "${t.slice(0, 40)}": one of ${FEED_ENTITY_TYPES.join(', ')}`);
    }
  }
  return unique;
}

/** A webhook URL that passes the SSRF rule, or null when omitted or blank. */
async function webhookUrl(ctx: SubgraphContext, value: string | null | undefined): Promise<string | null> {
  if (value === null || value === undefined || !value.trim()) return null;
  const check = await checkWebhookUrl(value.trim(), ctx.webhookAllowList ?? EMPTY_ALLOW_LIST);
  if (!check.ok) throw badInput('input.webhookUrl', check.reason);
  return check.url.toString();
}

function keyRing(ctx: SubgraphContext): SecretKeyRing {
  // a deployment error, not the caller's: masked as an internal error
  if (!ctx.secretKeyRing) throw new Error('no secrets key ring is configured (SECRETS_KEY_FILE)');
  return ctx.secretKeyRing;
}

async function lockConsumer(m: EntityManager, id: string): Promise<ChangeConsumer> {
  const consumer = v.isUuid(id)
    ? await m.getRepository(ChangeConsumer).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } })
    : null;
  if (!consumer) throw notFound('Change consumer');
  return consumer;
}

/** A new secret for the consumer: the plaintext (shown once) and the columns that store it. */
function newSecret(ring: SecretKeyRing, consumerId: string) {
  const secret = generateSigningSecret();
  return {
    secret,
    columns: { secretCiphertext: encryptSecret(ring, secret, consumerId), secretCreatedAt: new Date() },
  };
}

export async function registerChangeConsumer(
  ctx: SubgraphContext,
  input: RegisterChangeConsumerInput,
): Promise<ChangeConsumerResult> {
  requireScope(ctx.principal, Scope.CONSUMERS_WRITE);
  const name = v.requiredText('input.name', input.name, CONSUMER_LIMITS.name);
  const types = entityTypes('input.entityTypes', input.entityTypes);
  const url = await webhookUrl(ctx, input.webhookUrl);
  const ring = url ? keyRing(ctx) : null;

  return ctx.db.transaction(async (m) => {
    const client = v.isUuid(input.clientId)
      ? await m.getRepository(AppUser).findOne({ where: { id: input.clientId }, lock: { mode: 'pessimistic_write' } })
      : null;
    if (!client) throw badInput('input.clientId', 'no user has this id');
    if (client.kind !== 'service')
      throw badInput('input.clientId', 'must be a service client (a User of kind SERVICE)');
    if (!client.active) throw badInput('input.clientId', 'the service client is deactivated');
    const repo = m.getRepository(ChangeConsumer);
    if (await repo.existsBy({ userId: client.id })) {
      throw conflict('this service client is already a registered consumer', 'input.clientId');
    }
    // the id first: the secret's ciphertext is bound to it
    const [{ id }] = (await m.query(`SELECT gen_random_uuid()::text AS id`)) as [{ id: string }];
    const secret = ring ? newSecret(ring, id) : null;
    await repo.insert({
      id,
      userId: client.id,
      name,
      entityTypes: types,
      webhookUrl: url,
      ...(secret?.columns ?? {}),
      createdBy: ctx.principal.subject,
    });
    return { consumer: await repo.findOneByOrFail({ id }), signingSecret: secret?.secret ?? null };
  });
}

export async function updateChangeConsumer(
  ctx: SubgraphContext,
  id: string,
  input: UpdateChangeConsumerInput,
): Promise<ChangeConsumerResult> {
  requireScope(ctx.principal, Scope.CONSUMERS_WRITE);
  const changes: Partial<ChangeConsumer> = {};
  if (input.name !== undefined) {
    if (input.name === null) throw badInput('input.name', 'cannot be cleared');
    changes.name = v.requiredText('input.name', input.name, CONSUMER_LIMITS.name);
  }
  if (input.entityTypes !== undefined) {
    if (input.entityTypes === null) throw badInput('input.entityTypes', 'cannot be cleared');
    changes.entityTypes = entityTypes('input.entityTypes', input.entityTypes);
  }
  if (input.active !== undefined) {
    if (input.active === null) throw badInput('input.active', 'must be true or false');
    changes.active = input.active;
  }
  const url = input.webhookUrl === undefined ? undefined : await webhookUrl(ctx, input.webhookUrl);

  return ctx.db.transaction(async (m) => {
    const consumer = await lockConsumer(m, id);
    let signingSecret: string | null = null;
    if (url === null) {
      Object.assign(changes, {
        webhookUrl: null,
        secretCiphertext: null,
        secretCreatedAt: null,
        previousSecretCiphertext: null,
        previousSecretExpiresAt: null,
      });
    } else if (url !== undefined) {
      changes.webhookUrl = url;
      if (!consumer.secretCiphertext) {
        const secret = newSecret(keyRing(ctx), consumer.id);
        Object.assign(changes, secret.columns);
        signingSecret = secret.secret;
      }
    }
    const repo = m.getRepository(ChangeConsumer);
    if (Object.keys(changes).length) await repo.update({ id: consumer.id }, { ...changes, updatedAt: new Date() });
    return { consumer: await repo.findOneByOrFail({ id: consumer.id }), signingSecret };
  });
}

export async function rotateChangeConsumerSecret(
  ctx: SubgraphContext,
  id: string,
  overlapMinutes: number,
): Promise<ChangeConsumerResult> {
  requireScope(ctx.principal, Scope.CONSUMERS_WRITE);
  if (!Number.isInteger(overlapMinutes) || overlapMinutes < 0 || overlapMinutes > CONSUMER_LIMITS.maxOverlapMinutes) {
    throw badInput('overlapMinutes', `must be between 0 and ${CONSUMER_LIMITS.maxOverlapMinutes}`);
  }
  const ring = keyRing(ctx);
  return ctx.db.transaction(async (m) => {
    const consumer = await lockConsumer(m, id);
    if (!consumer.webhookUrl) throw badInput('id', 'the consumer has no webhook: there is no secret to rotate');
    const secret = newSecret(ring, consumer.id);
    const keepPrevious = consumer.secretCiphertext !== null && overlapMinutes > 0;
    const repo = m.getRepository(ChangeConsumer);
    await repo.update(
      { id: consumer.id },
      {
        ...secret.columns,
        previousSecretCiphertext: keepPrevious ? consumer.secretCiphertext : null,
        previousSecretExpiresAt: keepPrevious ? new Date(Date.now() + overlapMinutes * 60_000) : null,
        updatedAt: new Date(),
      },
    );
    return { consumer: await repo.findOneByOrFail({ id: consumer.id }), signingSecret: secret.secret };
  });
}

export async function redeliverChangeConsumer(ctx: SubgraphContext, id: string, feed: string): Promise<ChangeDelivery> {
  requireScope(ctx.principal, Scope.CONSUMERS_WRITE);
  if (!Object.hasOwn(CHANGE_FEEDS, feed))
    throw badInput('feed', `must be one of ${Object.keys(CHANGE_FEEDS).join(', ')}`);
  return ctx.db.transaction(async (m) => {
    const consumer = await lockConsumer(m, id);
    const repo = m.getRepository(ChangeDelivery);
    const delivery = await repo.findOne({
      where: { consumerId: consumer.id, feed },
      lock: { mode: 'pessimistic_write' },
    });
    if (!delivery || delivery.state !== 'DEAD_LETTER') {
      throw badInput('feed', 'nothing to redeliver: the delivery of this feed is not dead-lettered');
    }
    await repo
      .createQueryBuilder()
      .update()
      .set({ state: 'ACTIVE', failures: 0, nextAttemptAt: () => 'now()', deadLetteredAt: null })
      .where('consumer_id = :id AND feed = :feed', { id: consumer.id, feed })
      .execute();
    return repo.findOneByOrFail({ consumerId: consumer.id, feed });
  });
}

export async function changeConsumers(ctx: SubgraphContext, active?: boolean | null): Promise<ChangeConsumer[]> {
  return ctx.db.getRepository(ChangeConsumer).find({
    where: active === null || active === undefined ? {} : { active },
    order: { name: 'ASC', id: 'ASC' },
  });
}

/** Seconds the oldest unacknowledged event has waited (0 when none). */
export function lagSeconds(d: ChangeDelivery, now = new Date()): number {
  if (!d.oldestPendingAt) return 0;
  return Math.max(0, Math.floor((now.getTime() - d.oldestPendingAt.getTime()) / 1000));
}
