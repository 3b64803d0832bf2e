import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures (docs/WEBHOOKS.md). Every delivery carries
 *
 *     X-Epidemic-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *
 * with one `v1` per valid signing secret (two during a secret rotation). A receiver recomputes the
 * HMAC over the exact bytes it received, compares in constant time, and refuses a timestamp
 * outside its tolerance: a captured delivery replayed later fails, and a replay inside the window
 * is harmless because receivers de-duplicate by event id. The signing and the check live here so
 * the delivery worker, receivers and tests share one definition.
 */
export const SIGNATURE_HEADER = 'X-Epidemic-Signature';
export const DELIVERY_HEADER = 'X-Epidemic-Delivery';
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

const hmac = (secret: string, timestamp: number, rawBody: string | Buffer): string =>
  createHmac('sha256', secret)
    .update(`${timestamp}.`)
    .update(typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody)
    .digest('hex');

/** The signature header value for `rawBody`, signed at `now` with each secret. */
export function signWebhook(rawBody: string | Buffer, secrets: readonly string[], now: Date = new Date()): string {
  if (!secrets.length) throw new Error('a webhook needs at least one signing secret');
  const t = Math.floor(now.getTime() / 1000);
  return [`t=${t}`, ...secrets.map((s) => `v1=${hmac(s, t, rawBody)}`)].join(',');
}

export type WebhookVerification =
  { valid: true; timestamp: number } | { valid: false; reason: 'malformed' | 'stale' | 'signature' };

/**
 * Checks a delivery: the header is well formed, its timestamp within `toleranceSeconds` of `now`
 * (either way: an old one is a replay, a future one a forgery or a broken clock), and one of its
 * `v1` signatures matches one of `secrets` (the receiver's current and, during a rotation, previous
 * secret) over the raw body.
 */
export function verifyWebhookSignature(
  rawBody: string | Buffer,
  header: string | null | undefined,
  secrets: readonly string[],
  opts: { toleranceSeconds?: number; now?: Date } = {},
): WebhookVerification {
  if (!header || header.length > 4096) return { valid: false, reason: 'malformed' };
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value) && timestamp === undefined) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(Buffer.from(value, 'hex'));
    // other schemes (a future v2) are ignored
  }
  if (timestamp === undefined || !signatures.length) return { valid: false, reason: 'malformed' };
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  const tolerance = opts.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS;
  if (Math.abs(now - timestamp) > tolerance) return { valid: false, reason: 'stale' };
  let match = false;
  for (const secret of secrets) {
    const expected = Buffer.from(hmac(secret, timestamp, rawBody), 'hex');
    // every comparison runs (no early exit), each in constant time
    for (const s of signatures) if (timingSafeEqual(expected, s)) match = true;
  }
  return match ? { valid: true, timestamp } : { valid: false, reason: 'signature' };
}
