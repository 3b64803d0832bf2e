import { freePort } from '../scripts/postgres-cluster';
import { runTs } from './processes';

test('a subgraph with a bad configuration exits 1 at once, naming the setting', async () => {
  const p = runTs('subgraphs/organisations/main.ts', [], {
    PORT: 'not-a-port',
    DATABASE_URL: 'postgres://x@127.0.0.1:1/x',
  });
  expect(await p.exited).toBe(1);
  expect(p.output()).toContain('PORT must be an integer');
});

test('the gateway refuses the development issuer in production', async () => {
  const p = runTs('gateway/main.ts', [], { NODE_ENV: 'production', AUTH_DEV_ISSUER: 'true' });
  expect(await p.exited).toBe(1);
  expect(p.output()).toContain('AUTH_DEV_ISSUER cannot be used in production');
});

test('the gateway refuses introspection in production', async () => {
  const p = runTs('gateway/main.ts', [], {
    NODE_ENV: 'production',
    AUTH_ISSUER: 'https://id.example.gov.vn',
    AUTH_AUDIENCE: 'epidemic-federation',
    AUTH_JWKS_URL: 'https://id.example.gov.vn/jwks.json',
    INTROSPECTION: 'true',
    INTERNAL_SIGNING_KEY_FILE: '/nonexistent',
  });
  expect(await p.exited).toBe(1);
  expect(p.output()).toContain('INTROSPECTION must be off in production');
});

test('a subgraph whose database is unreachable stays up, retries, and is not ready', async () => {
  const port = await freePort();
  const deadDb = await freePort();
  const p = runTs('subgraphs/checkpoints/main.ts', [], {
    PORT: String(port),
    DATABASE_URL: `postgres://app:pw@127.0.0.1:${deadDb}/checkpoints`,
    LOG_LEVEL: 'warn',
  });
  try {
    await p.waitFor(/database not reachable; retrying/, 60_000);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'not ready', checks: { database: 'down', process: 'starting' } });
    await p.waitFor(/"attempt":2/, 60_000);
    expect(p.child.exitCode).toBeNull();
  } finally {
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  }
});
