import { randomUUID } from 'node:crypto';
import type { CallerPrincipal } from '../gateway/principals';
import { signInternalToken } from '../subgraphs/kit/internal-token';
import type { SigningKey } from '../subgraphs/kit/keys';
import type { SubgraphName } from '../subgraphs/kit/module';
import type { SubgraphSelector } from './selection';

/**
 * Where the delivery worker takes committed events from (docs/WEBHOOKS.md, "Scale path"). The
 * worker only needs "the next page of this feed after this cursor, as this subscriber may see
 * it"; today that is the subgraphs' own change feeds (the transactional outbox read in
 * commit-safe batches). When one PostgreSQL and one worker are no longer enough, a relay that
 * publishes the outbox to Kafka (Debezium's outbox event router) or NATS JetStream (de-duplicated
 * by event id) implements the same interface over the broker — the worker, the signing and the
 * retry rules do not change.
 */
export interface OutboxRelay {
  /** Feed name → the entity types it carries (a consumer gets one delivery per feed it needs). */
  feeds(): ReadonlyMap<string, readonly string[]>;
  /** The next page after `after` (null: the start), with entities as `subscriber` may read them. */
  read(request: RelayRequest): Promise<RelayPage>;
}

export interface RelayRequest {
  feed: string;
  subscriber: CallerPrincipal;
  entityTypes: readonly string[];
  after: string | null;
  first: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** One event as delivered (docs/WEBHOOKS.md, "Payload"). */
export interface DeliveredEvent {
  id: string;
  entityType: string;
  entityId: string;
  kind: string;
  unitCodes: string[];
  at: string;
  entity: Record<string, unknown> | null;
  details: Record<string, unknown> | null;
}

export interface RelayPage {
  events: DeliveredEvent[];
  endCursor: string;
  hasMore: boolean;
}

/**
 * A read that failed. `consumer`: the feed refused this subscriber (no read scope, a cursor it no
 * longer accepts) — it counts as the consumer's failure and ends in the dead letter if it lasts;
 * otherwise the feed is unavailable (down, slow, internal error) and the delivery is retried later
 * without counting against the consumer. `reason` is short and carries no data.
 */
export class RelayError extends Error {
  constructor(
    readonly reason: string,
    readonly consumer: boolean,
  ) {
    super(reason);
    this.name = 'RelayError';
  }
}

/** The purpose the feed reads are made (and audited) with. */
export const DELIVERY_PURPOSE = 'webhook-delivery';
const CONSUMER_CODES = new Set(['FORBIDDEN', 'BAD_USER_INPUT']);

interface FeedResponse {
  data?: Record<string, RelayPage | null> | null;
  errors?: { extensions?: { code?: string } }[];
}

/**
 * The relay over the subgraphs' change feeds: each read is a GraphQL request straight to the
 * subgraph, with an internal token signed as the gateway would for the subscriber (its principal,
 * purpose `webhook-delivery`), selecting the entity fields the subscriber may read (selection.ts).
 * The subgraph applies jurisdiction, masking and audit as for any other read.
 */
export class GraphFeedRelay implements OutboxRelay {
  private readonly feedTypes = new Map<string, readonly string[]>();

  constructor(
    private readonly opts: {
      subgraphUrls: Readonly<Record<SubgraphName, string>>;
      selectors: Readonly<Partial<Record<SubgraphName, SubgraphSelector>>>;
      signingKey: () => SigningKey;
    },
  ) {
    for (const [name, selector] of Object.entries(opts.selectors)) {
      if (selector?.feed) this.feedTypes.set(name, selector.feed.entityTypes);
    }
  }

  feeds(): ReadonlyMap<string, readonly string[]> {
    return this.feedTypes;
  }

  async read(req: RelayRequest): Promise<RelayPage> {
    const name = req.feed as SubgraphName;
    const selector = this.opts.selectors[name];
    if (!selector?.feed) throw new RelayError('no such feed', true);
    const requestId = randomUUID();
    const token = await signInternalToken(
      this.opts.signingKey(),
      { ...req.subscriber, purpose: DELIVERY_PURPOSE, requestId },
      name,
    );
    const query = selector.feedQuery(new Set(req.subscriber.scopes), req.entityTypes);
    const signals = [AbortSignal.timeout(req.timeoutMs), ...(req.signal ? [req.signal] : [])];
    let res: Response;
    try {
      res = await fetch(this.opts.subgraphUrls[name], {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-request-id': requestId },
        body: JSON.stringify({ query, variables: { after: req.after, first: req.first, types: req.entityTypes } }),
        signal: AbortSignal.any(signals),
      });
    } catch (e) {
      throw new RelayError((e as Error).name === 'TimeoutError' ? 'feed timeout' : 'feed unreachable', false);
    }
    const body = (await res.json().catch(() => null)) as FeedResponse | null;
    const code = body?.errors?.[0]?.extensions?.code;
    if (code) throw new RelayError(`feed ${code}`, CONSUMER_CODES.has(code));
    const page = body?.data?.[selector.feed.field];
    if (!res.ok || !page) throw new RelayError(`feed HTTP ${res.status}`, false);
    return page;
  }
}
