import { createLocalJWKSet } from 'jose';
import { ConfigError } from '../subgraphs/kit/config';
import { createInternalTokenVerifier, signInternalToken } from '../subgraphs/kit/internal-token';
import { generateSigningKey } from '../subgraphs/kit/keys';
import { loadSubgraphConfig } from '../subgraphs/kit/subgraph-config';
import { runTs } from './processes';
import { testPrincipal } from './subgraph-client';

/*
 * The benchmark's mode (docs/PERFORMANCE.md): subgraphs accept one fixed, long-lived internal token
 * so that gateways which cannot sign our tokens can be measured. It is never available in
 * production, needs an explicit flag, and widens nothing else.
 */

const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://app:pw@127.0.0.1:1/checkpoints',
  INTERNAL_JWKS_FILE: '/nonexistent/internal-jwks.json',
  PSEUDONYM_KEY_FILE: '/nonexistent/pseudonym.key',
};

test('a subgraph in production refuses to start in bench mode, naming the setting', async () => {
  const p = runTs('subgraphs/checkpoints/main.ts', [], {
    ...PRODUCTION,
    BENCH_MODE: '1',
    BENCH_FIXED_INTERNAL_TOKEN: 'a.b.c',
  });
  expect(await p.exited).toBe(1);
  expect(p.output()).toContain('BENCH_MODE cannot be used in production');
});

test('bench mode needs both the explicit flag and the token', () => {
  const dev = { DATABASE_URL: 'postgres://app:pw@127.0.0.1:1/checkpoints' };
  expect(() => loadSubgraphConfig('checkpoints', { ...dev, BENCH_FIXED_INTERNAL_TOKEN: 'a.b.c' })).toThrow(
    new ConfigError('BENCH_FIXED_INTERNAL_TOKEN needs BENCH_MODE=1 (benchmarks only)'),
  );
  expect(() => loadSubgraphConfig('checkpoints', { ...dev, BENCH_MODE: '1' })).toThrow(
    new ConfigError('BENCH_MODE needs BENCH_FIXED_INTERNAL_TOKEN'),
  );
  expect(
    loadSubgraphConfig('checkpoints', { ...dev, BENCH_MODE: '1', BENCH_FIXED_INTERNAL_TOKEN: 'a.b.c' })
      .benchFixedInternalToken,
  ).toBe('a.b.c');
  expect(loadSubgraphConfig('checkpoints', dev).benchFixedInternalToken).toBeUndefined();
});

test('a long-lived internal token is refused unless it is the configured bench token', async () => {
  const key = await generateSigningKey();
  const keys = createLocalJWKSet(key.jwks);
  const principal = testPrincipal({ scopes: ['checkpoints:read'] });
  const fixed = await signInternalToken(key.signing, principal, ['checkpoints', 'movement'], 86_400);
  const other = await signInternalToken(key.signing, principal, 'checkpoints', 86_400);
  const normal = await signInternalToken(key.signing, principal, 'checkpoints');

  const plain = createInternalTokenVerifier(keys, 'checkpoints');
  await expect(plain(fixed)).rejects.toThrow('Requests must come through the gateway');
  await expect(plain(normal)).resolves.toMatchObject({ subject: principal.subject });

  const bench = createInternalTokenVerifier(keys, 'checkpoints', { benchFixedToken: fixed });
  await expect(bench(fixed)).resolves.toMatchObject({ subject: principal.subject, scopes: ['checkpoints:read'] });
  await expect(bench(other)).rejects.toThrow('Requests must come through the gateway');
  await expect(bench(normal)).resolves.toMatchObject({ subject: principal.subject });
  // still verified: the bench token is no use to a subgraph it was not signed for
  const elsewhere = createInternalTokenVerifier(keys, 'feedback', { benchFixedToken: fixed });
  await expect(elsewhere(fixed)).rejects.toThrow('Requests must come through the gateway');
});
