import { createHash, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { CallerPrincipal } from '../gateway/principals';
import type { Logger } from '../subgraphs/kit/logger';
import { decryptSecret, type SecretKeyRing } from '../subgraphs/kit/secrets';
import type { HostResolver, WebhookAllowList } from '../subgraphs/kit/ssrf';
import type { DeliveryPolicy } from './config';
import { RelayError, type OutboxRelay, type RelayPage } from './relay';
import {
  advance,
  claimDue,
  ensureDeliveries,
  feedMapOf,
  markPending,
  recordFailure,
  reschedule,
  type Delivery,
  type FeedMap,
} from './store';
import { postWebhook } from './webhook';

/** Resolves a consumer's service subject into its principal (gateway/principals.ts). */
export interface PrincipalSource {
  resolve(subject: string, requestId: string): Promise<CallerPrincipal | null>;
}

export interface WorkerDeps {
  pool: Pool;
  relay: OutboxRelay;
  principals: PrincipalSource;
  /** The key ring the signing secrets are encrypted under (a getter: the ring may gain keys). */
  secrets: () => SecretKeyRing;
  allowList: WebhookAllowList;
  policy: DeliveryPolicy;
  logger: Logger;
  /** DNS for the SSRF check (tests inject one); default: the system resolver. */
  resolveHost?: HostResolver;
  /** Called after each batch a webhook acknowledged (tests and metrics). */
  onDelivered?: (d: { consumerId: string; feed: string; events: number }) => void;
}

/** Exponential backoff with jitter: base·2^(n−1), capped, then a random point in its upper half. */
export function backoffMs(failures: number, base: number, max: number, random: () => number = Math.random): number {
  const ceiling = Math.min(max, base * 2 ** Math.min(Math.max(failures - 1, 0), 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** The same batch retried gets the same id (receivers may log it; they de-duplicate by event id). */
function batchId(d: Delivery, cursor: string | null, page: RelayPage): string {
  const h = createHash('sha256')
    .update([d.consumerId, d.feed, cursor ?? '', ...page.events.map((e) => e.id)].join('\n'))
    .digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Our own outages (a subgraph down) are retried at least this often, whatever the consumer backoff. */
const OUTAGE_BACKOFF_MAX_MS = 60_000;
const key = (d: Pick<Delivery, 'consumerId' | 'feed'>) => `${d.consumerId}/${d.feed}`;
const oldest = (page: RelayPage): Date =>
  new Date(Math.min(...page.events.map((e) => new Date(e.at).getTime()).filter((t) => Number.isFinite(t))));

/**
 * The webhook delivery worker (docs/WEBHOOKS.md). Every `pollMs` it creates missing delivery rows,
 * claims due (consumer, feed) deliveries up to its free concurrency and runs each on its own: a
 * slow receiver holds one slot for at most the request timeout, a failing one backs off, and
 * neither delays the others. A delivery reads the next feed page as the consumer, POSTs it signed,
 * and moves the cursor only after a 2xx (at least once).
 */
export class DeliveryWorker {
  private readonly running = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
  private readonly map: FeedMap;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;
  /** Consecutive unavailable reads per delivery (our side down): a short backoff, no consumer failure. */
  private readonly outages = new Map<string, number>();

  constructor(private readonly deps: WorkerDeps) {
    this.map = feedMapOf(deps.relay.feeds());
  }

  start(): void {
    this.schedule(0);
  }

  /** Stops claiming; waits up to `graceMs` for running deliveries, then aborts them (they are retried). */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking;
    const all = Promise.all(this.running.values());
    const timer = setTimeout(() => this.abort.abort(), graceMs);
    await all;
    clearTimeout(timer);
  }

  /** One round: create rows, claim, start deliveries (not awaited). Returns how many were started. */
  async tick(): Promise<number> {
    const { pool, policy } = this.deps;
    await ensureDeliveries(pool, this.map);
    const free = policy.concurrency - this.running.size;
    if (free <= 0 || this.stopped) return 0;
    const due = await claimDue(pool, this.map, {
      limit: free,
      leaseMs: policy.leaseMs,
      exclude: [...this.running.keys()],
    });
    for (const d of due) {
      const run = this.deliver(d)
        .catch((e: unknown) => {
          this.deps.logger.error({ consumerId: d.consumerId, feed: d.feed, err: e }, 'delivery crashed');
        })
        .finally(() => this.running.delete(key(d)));
      this.running.set(key(d), run);
    }
    return due.length;
  }

  /** Waits for the deliveries running now (tests). */
  async settle(): Promise<void> {
    await Promise.all(this.running.values());
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick()
        .catch((e: unknown) => this.deps.logger.warn({ err: e }, 'delivery round failed; retrying'))
        .then(() => this.schedule(this.deps.policy.pollMs));
    }, ms);
  }

  private secretsOf(d: Delivery): string[] {
    const secrets = this.deps.secrets();
    const out = [decryptSecret(secrets, d.secretCiphertext, d.consumerId)];
    if (d.previousSecretCiphertext && d.previousSecretExpiresAt && d.previousSecretExpiresAt > new Date()) {
      out.push(decryptSecret(secrets, d.previousSecretCiphertext, d.consumerId));
    }
    return out;
  }

  private async deliver(d: Delivery): Promise<void> {
    const { pool, policy, logger } = this.deps;
    const log = logger.child({ consumerId: d.consumerId, feed: d.feed });
    const signal = this.abort.signal;
    let cursor = d.cursor;
    let failures = d.failures;
    const fail = async (error: string) => {
      const state = await recordFailure(pool, d, {
        cursor,
        error,
        retryInMs: backoffMs(failures + 1, policy.backoffBaseMs, policy.backoffMaxMs),
        maxFailures: policy.maxFailures,
      });
      if (state === 'DEAD_LETTER') log.warn({ error, failures: failures + 1 }, 'delivery moved to the dead letter');
      else log.info({ error, failures: failures + 1 }, 'delivery failed; will retry');
    };
    const unavailable = async (error: string) => {
      const n = (this.outages.get(key(d)) ?? 0) + 1;
      this.outages.set(key(d), n);
      const cap = Math.min(policy.backoffMaxMs, OUTAGE_BACKOFF_MAX_MS);
      await reschedule(pool, d, cursor, backoffMs(n, policy.backoffBaseMs, cap), error);
      log.warn({ error }, 'feed or principal lookup unavailable; will retry');
    };

    let principal: CallerPrincipal | null;
    let secrets: string[];
    try {
      principal = await this.deps.principals.resolve(d.subject, randomUUID());
    } catch {
      return unavailable('principal lookup unavailable');
    }
    if (!principal) return fail('consumer has no active service user');
    try {
      secrets = this.secretsOf(d);
    } catch {
      return fail('signing secret unreadable');
    }

    let pending = d.oldestPendingAt;
    for (let batch = 0; batch < policy.batchesPerClaim; batch += 1) {
      let page: RelayPage;
      try {
        page = await this.deps.relay.read({
          feed: d.feed,
          subscriber: principal,
          entityTypes: d.entityTypes.filter((t) => this.deps.relay.feeds().get(d.feed)?.includes(t)),
          after: cursor,
          first: policy.batchSize,
          timeoutMs: policy.requestTimeoutMs,
          signal,
        });
      } catch (e) {
        if (signal.aborted) return reschedule(pool, d, cursor, 0, null);
        if (e instanceof RelayError && e.consumer) return fail(e.reason);
        return unavailable(e instanceof RelayError ? e.reason : 'feed unavailable');
      }
      this.outages.delete(key(d));
      if (!page.events.length) {
        const nextInMs = page.hasMore ? policy.leaseMs : policy.idleMs;
        const ok = await advance(pool, d, {
          from: cursor,
          to: page.endCursor,
          delivered: 0,
          oldestPendingAt: null,
          nextInMs,
        });
        if (!ok || !page.hasMore) return;
        cursor = page.endCursor;
        continue;
      }
      if (!pending) {
        pending = oldest(page);
        await markPending(pool, d, cursor, pending);
      }
      const id = batchId(d, cursor, page);
      const body = JSON.stringify({ delivery: id, feed: d.feed, events: page.events });
      const result = await postWebhook({
        url: d.webhookUrl,
        body,
        deliveryId: id,
        secrets,
        allowList: this.deps.allowList,
        timeoutMs: policy.requestTimeoutMs,
        signal,
        resolveHost: this.deps.resolveHost,
      });
      if (!result.ok) {
        if (signal.aborted) return reschedule(pool, d, cursor, 0, null);
        return fail(result.error);
      }
      // acknowledged: only now does the cursor move (a crash before this line re-sends the batch)
      const ok = await advance(pool, d, {
        from: cursor,
        to: page.endCursor,
        delivered: page.events.length,
        oldestPendingAt: null,
        nextInMs: policy.leaseMs,
      });
      this.deps.onDelivered?.({ consumerId: d.consumerId, feed: d.feed, events: page.events.length });
      if (!ok) return;
      cursor = page.endCursor;
      pending = null;
      failures = 0;
    }
    // yield the slot; the next round continues where this one stopped
    await reschedule(pool, d, cursor, 0, null);
  }
}
