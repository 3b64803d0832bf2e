import type { Pool } from 'pg';

/**
 * The worker's reads and writes of the organisations database: active consumers with a webhook
 * (`change_consumer`, their service user) and one `change_delivery` row per consumer and feed,
 * which only this worker updates (the organisations subgraph reads it for the lag query and resets
 * a dead letter). Every update after a claim is conditional on the cursor the claim read, so a
 * second worker, or an admin who moved the row meanwhile, is never overwritten.
 */

export interface Delivery {
  consumerId: string;
  feed: string;
  cursor: string | null;
  failures: number;
  oldestPendingAt: Date | null;
  subject: string;
  entityTypes: string[];
  webhookUrl: string;
  secretCiphertext: string;
  previousSecretCiphertext: string | null;
  previousSecretExpiresAt: Date | null;
}

/** Which feed carries each entity type, as two parallel arrays for SQL. */
export interface FeedMap {
  types: string[];
  feeds: string[];
}

export function feedMapOf(feeds: ReadonlyMap<string, readonly string[]>): FeedMap {
  const map: FeedMap = { types: [], feeds: [] };
  for (const [feed, types] of feeds) {
    for (const t of types) {
      map.types.push(t);
      map.feeds.push(feed);
    }
  }
  return map;
}

const WANTED = `c.active AND c.webhook_url IS NOT NULL AND c.secret_ciphertext IS NOT NULL`;

/** Creates the missing delivery rows: one per consumer and feed its entity types need. */
export async function ensureDeliveries(pool: Pool, map: FeedMap): Promise<number> {
  const res = await pool.query(
    `INSERT INTO change_delivery (consumer_id, feed)
     SELECT DISTINCT c.id, m.feed
       FROM change_consumer c
       JOIN unnest($1::text[], $2::text[]) AS m(entity_type, feed) ON m.entity_type = ANY (c.entity_types)
      WHERE ${WANTED}
     ON CONFLICT (consumer_id, feed) DO NOTHING`,
    [map.types, map.feeds],
  );
  return res.rowCount ?? 0;
}

/**
 * Claims up to `limit` due deliveries (ACTIVE, next attempt passed or never set) for `leaseMs`:
 * their `next_attempt_at` moves past the lease, so a worker that dies mid-batch leaves the row to
 * be taken over when the lease ends. `exclude` are deliveries this worker is already running.
 */
export async function claimDue(
  pool: Pool,
  map: FeedMap,
  opts: { limit: number; leaseMs: number; exclude: string[] },
): Promise<Delivery[]> {
  const res = await pool.query(
    `WITH due AS (
       SELECT d.consumer_id, d.feed
         FROM change_delivery d
         JOIN change_consumer c ON c.id = d.consumer_id
        WHERE d.state = 'ACTIVE' AND ${WANTED}
          AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= now())
          AND NOT ((d.consumer_id::text || '/' || d.feed) = ANY ($4::text[]))
          AND EXISTS (SELECT 1 FROM unnest($5::text[], $6::text[]) AS m(entity_type, feed)
                       WHERE m.feed = d.feed AND m.entity_type = ANY (c.entity_types))
        ORDER BY d.next_attempt_at NULLS FIRST
        LIMIT $1
        FOR UPDATE OF d SKIP LOCKED)
     UPDATE change_delivery d SET next_attempt_at = now() + $2::int * interval '1 millisecond'
       FROM due, change_consumer c, app_user u
      WHERE d.consumer_id = due.consumer_id AND d.feed = due.feed AND c.id = d.consumer_id AND u.id = c.user_id
        AND u.kind = $3
     RETURNING d.consumer_id, d.feed, d.cursor, d.failures, d.oldest_pending_at, u.subject, c.entity_types,
               c.webhook_url, c.secret_ciphertext, c.previous_secret_ciphertext, c.previous_secret_expires_at`,
    [opts.limit, opts.leaseMs, 'service', opts.exclude, map.types, map.feeds],
  );
  return (res.rows as Record<string, unknown>[]).map((r) => ({
    consumerId: r.consumer_id as string,
    feed: r.feed as string,
    cursor: (r.cursor as string | null) ?? null,
    failures: r.failures as number,
    oldestPendingAt: (r.oldest_pending_at as Date | null) ?? null,
    subject: r.subject as string,
    entityTypes: r.entity_types as string[],
    webhookUrl: r.webhook_url as string,
    secretCiphertext: r.secret_ciphertext as string,
    previousSecretCiphertext: (r.previous_secret_ciphertext as string | null) ?? null,
    previousSecretExpiresAt: (r.previous_secret_expires_at as Date | null) ?? null,
  }));
}

const WHERE_OURS = `consumer_id = $1 AND feed = $2 AND cursor IS NOT DISTINCT FROM $3 AND state = 'ACTIVE'`;

/**
 * Moves the cursor after an acknowledged batch (or a page without events) and renews the lease.
 * False when the row is no longer where the claim left it (then the caller stops).
 */
export async function advance(
  pool: Pool,
  d: Pick<Delivery, 'consumerId' | 'feed'>,
  change: { from: string | null; to: string; delivered: number; oldestPendingAt: Date | null; nextInMs: number },
): Promise<boolean> {
  const res = await pool.query(
    `UPDATE change_delivery
        SET cursor = $4, failures = 0, last_error = NULL, oldest_pending_at = $6,
            next_attempt_at = now() + $7::int * interval '1 millisecond',
            delivered_events = delivered_events + $5::int,
            last_attempt_at = CASE WHEN $5::int > 0 THEN now() ELSE last_attempt_at END,
            last_delivered_at = CASE WHEN $5::int > 0 THEN now() ELSE last_delivered_at END
      WHERE ${WHERE_OURS}`,
    [d.consumerId, d.feed, change.from, change.to, change.delivered, change.oldestPendingAt, change.nextInMs],
  );
  return (res.rowCount ?? 0) > 0;
}

/** Records when the oldest event not yet acknowledged was written (the consumer's lag). */
export async function markPending(
  pool: Pool,
  d: Pick<Delivery, 'consumerId' | 'feed'>,
  cursor: string | null,
  since: Date,
): Promise<void> {
  await pool.query(`UPDATE change_delivery SET oldest_pending_at = $4 WHERE ${WHERE_OURS}`, [
    d.consumerId,
    d.feed,
    cursor,
    since,
  ]);
}

/**
 * A failed attempt that is the consumer's (its webhook, or the feed refusing it): one more
 * failure, the next attempt after `retryInMs`, or the dead letter once `maxFailures` is reached.
 */
export async function recordFailure(
  pool: Pool,
  d: Pick<Delivery, 'consumerId' | 'feed'>,
  f: { cursor: string | null; error: string; retryInMs: number; maxFailures: number },
): Promise<'ACTIVE' | 'DEAD_LETTER' | null> {
  const res = await pool.query(
    `UPDATE change_delivery
        SET failures = failures + 1, last_error = $4, last_attempt_at = now(),
            state = CASE WHEN failures + 1 >= $6 THEN 'DEAD_LETTER' ELSE 'ACTIVE' END,
            dead_lettered_at = CASE WHEN failures + 1 >= $6 THEN now() ELSE dead_lettered_at END,
            next_attempt_at = CASE WHEN failures + 1 >= $6 THEN NULL
                                   ELSE now() + $5::int * interval '1 millisecond' END
      WHERE ${WHERE_OURS}
     RETURNING state`,
    [d.consumerId, d.feed, f.cursor, f.error.slice(0, 200), f.retryInMs, f.maxFailures],
  );
  return ((res.rows as { state: 'ACTIVE' | 'DEAD_LETTER' }[])[0]?.state ?? null) as 'ACTIVE' | 'DEAD_LETTER' | null;
}

/** Reschedules without counting a failure (our side was unavailable, or the worker is stopping). */
export async function reschedule(
  pool: Pool,
  d: Pick<Delivery, 'consumerId' | 'feed'>,
  cursor: string | null,
  inMs: number,
  error: string | null,
): Promise<void> {
  await pool.query(
    `UPDATE change_delivery SET next_attempt_at = now() + $4::int * interval '1 millisecond',
            last_error = COALESCE($5, last_error)
      WHERE ${WHERE_OURS}`,
    [d.consumerId, d.feed, cursor, inMs, error],
  );
}
