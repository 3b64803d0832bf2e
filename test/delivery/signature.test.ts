import { createHmac } from 'node:crypto';
import { backoffMs } from '../../delivery/worker';
import { signWebhook, verifyWebhookSignature } from '../../subgraphs/kit/webhook-signature';

/** The documented receiver check (docs/WEBHOOKS.md, "Verifying a delivery"). */

const body = JSON.stringify({ delivery: 'd-1', feed: 'checkpoints', events: [{ id: 'e-1' }] });
const secret = 'whsec_current';
const at = new Date('2026-03-01T08:00:00Z');
const t = Math.floor(at.getTime() / 1000);

describe('webhook signatures', () => {
  test('a genuine delivery verifies, and the header is t=<unix seconds>,v1=<hex HMAC of "t.body">', () => {
    const header = signWebhook(body, [secret], at);
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(header).toBe(`t=${t},v1=${expected}`);
    expect(verifyWebhookSignature(body, header, [secret], { now: at })).toEqual({ valid: true, timestamp: t });
    expect(verifyWebhookSignature(Buffer.from(body), header, [secret], { now: at }).valid).toBe(true);
  });

  test('a forged signature is detected: wrong secret, altered body, altered timestamp, garbage', () => {
    const header = signWebhook(body, [secret], at);
    const forged = signWebhook(body, ['whsec_guess'], at);
    expect(verifyWebhookSignature(body, forged, [secret], { now: at })).toEqual({ valid: false, reason: 'signature' });
    expect(verifyWebhookSignature(body.replace('e-1', 'e-2'), header, [secret], { now: at })).toEqual({
      valid: false,
      reason: 'signature',
    });
    // moving the timestamp (to pass the replay check) breaks the signature
    const retimed = header.replace(`t=${t}`, `t=${t + 1}`);
    expect(verifyWebhookSignature(body, retimed, [secret], { now: at }).valid).toBe(false);
    for (const bad of ['', 'v1=abc', `t=${t}`, `t=${t},v1=zz`, 'nonsense']) {
      expect(verifyWebhookSignature(body, bad, [secret], { now: at })).toEqual({ valid: false, reason: 'malformed' });
    }
    expect(verifyWebhookSignature(body, undefined, [secret], { now: at }).valid).toBe(false);
  });

  test('a replayed delivery (timestamp outside the tolerance) is refused, even with a valid signature', () => {
    const header = signWebhook(body, [secret], at);
    const later = (s: number) => new Date(at.getTime() + s * 1000);
    expect(verifyWebhookSignature(body, header, [secret], { now: later(300) }).valid).toBe(true);
    expect(verifyWebhookSignature(body, header, [secret], { now: later(301) })).toEqual({
      valid: false,
      reason: 'stale',
    });
    expect(verifyWebhookSignature(body, header, [secret], { now: later(3600), toleranceSeconds: 60 }).valid).toBe(
      false,
    );
    // a timestamp from the future is refused too
    expect(verifyWebhookSignature(body, header, [secret], { now: later(-301) }).valid).toBe(false);
  });

  test('during a secret rotation both secrets sign; a receiver holding either one verifies', () => {
    const header = signWebhook(body, ['whsec_new', 'whsec_old'], at);
    expect(header.split(',').filter((p) => p.startsWith('v1='))).toHaveLength(2);
    expect(verifyWebhookSignature(body, header, ['whsec_old'], { now: at }).valid).toBe(true);
    expect(verifyWebhookSignature(body, header, ['whsec_new'], { now: at }).valid).toBe(true);
    expect(verifyWebhookSignature(body, header, ['whsec_other'], { now: at }).valid).toBe(false);
  });
});

describe('retry backoff', () => {
  test('doubles per failure within jitter, capped at the maximum', () => {
    const low = (n: number) => backoffMs(n, 1_000, 60_000, () => 0);
    const high = (n: number) => backoffMs(n, 1_000, 60_000, () => 1);
    expect([1, 2, 3, 4].map(low)).toEqual([500, 1_000, 2_000, 4_000]);
    expect([1, 2, 3, 4].map(high)).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(high(30)).toBe(60_000);
    expect(low(30)).toBe(30_000);
  });
});
