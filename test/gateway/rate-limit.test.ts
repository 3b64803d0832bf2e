import { startStack, type Stack } from '../stack';

/** Rate limits per principal and per client (issue 7): 429 RATE_LIMITED with Retry-After. */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    principalCacheMs: 60_000,
    gatewayPolicy: { rateLimit: { enabled: true, principalPoints: 3, clientPoints: 5, windowSeconds: 3_600 } },
  });
});
afterAll(async () => {
  await stack.stop();
});

const QUERY = { query: '{ __typename }' };
const send = async (subject: string, clientId?: string) =>
  stack.post(QUERY, { authorization: `Bearer ${await stack.token(subject, { clientId })}` });

test('a principal over its limit gets 429 RATE_LIMITED with Retry-After; others are unaffected', async () => {
  for (let i = 0; i < 3; i += 1) expect((await send('dev-analyst')).status).toBe(200);
  const limited = await send('dev-analyst');
  expect(limited.status).toBe(429);
  expect(limited.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  expect(limited.body.errors?.[0]?.message).toMatch(/Too many requests: retry after \d+ s/);
  const retryAfter = Number(limited.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(3_600);
  expect((await send('dev-dpo')).status).toBe(200);
});

test('a client over its limit gets 429 across all of its principals', async () => {
  for (let i = 0; i < 3; i += 1) expect((await send('dev-health-01', 'shared-app')).status).toBe(200);
  for (let i = 0; i < 2; i += 1) expect((await send('dev-health-79', 'shared-app')).status).toBe(200);
  // dev-health-79 is within its own limit (third request), but the client has used its five
  const limited = await send('dev-health-79', 'shared-app');
  expect(limited.status).toBe(429);
  expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  expect((await send('dev-hotline-01', 'other-app')).status).toBe(200);
});
