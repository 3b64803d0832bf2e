import { serverAudits, type AuditResult } from 'graphql-http';
import { startStack, type Stack } from '../stack';

/**
 * The GraphQL-over-HTTP server audits of `graphql-http` against the gateway: every MUST passes; the
 * SHOULDs that do not are printed. The audits run as a staff caller (the gateway answers 401 before
 * any GraphQL work without a token) and send Apollo's preflight header, as browser clients must
 * (CSRF prevention refuses simple GET requests; test/gateway/limits.test.ts covers that).
 */
let stack: Stack;
let token: string;
beforeAll(async () => {
  stack = await startStack({ principalCacheMs: 60_000 });
  token = await stack.token('dev-centre-admin');
});
afterAll(async () => {
  await stack.stop();
});

const authorisedFetch: typeof fetch = (input, init) => {
  const headers = new Headers(init?.headers);
  headers.set('authorization', `Bearer ${token}`);
  headers.set('apollo-require-preflight', 'true');
  return fetch(input, { ...init, headers });
};

test('every MUST of the GraphQL-over-HTTP audit passes; SHOULDs are reported', async () => {
  const audits = serverAudits({ url: () => stack.gatewayUrl, fetchFn: authorisedFetch });
  const results: { name: string; result: AuditResult }[] = [];
  for (const audit of audits) results.push({ name: audit.name, result: await audit.fn() });

  const failedMusts = results.filter((r) => r.name.startsWith('MUST') && r.result.status !== 'ok');
  const notOk = results.filter((r) => !r.name.startsWith('MUST') && r.result.status !== 'ok');
  const describe = (r: { name: string; result: AuditResult }) =>
    `${r.name}: ${'reason' in r.result ? r.result.reason : ''}`;
  // eslint-disable-next-line no-console -- the audit's SHOULD report is this test's output
  console.log(
    `graphql-http audit: ${results.length} audits, ${results.length - failedMusts.length - notOk.length} ok\n` +
      `SHOULD/MAY not met (${notOk.length}):\n${notOk.map((r) => `  ${describe(r)}`).join('\n')}`,
  );
  expect(failedMusts.map(describe)).toEqual([]);
  expect(results.filter((r) => r.name.startsWith('MUST')).length).toBeGreaterThan(10);
});
