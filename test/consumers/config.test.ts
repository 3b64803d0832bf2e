import { ConfigError } from '../../subgraphs/kit/config';
import { loadSubgraphConfig } from '../../subgraphs/kit/subgraph-config';

/** The organisations subgraph's settings for consumers: the secrets key ring and the webhook allow-list. */

const DB = { DATABASE_URL: 'postgres://app:pw@127.0.0.1:5432/epidemic_organisations' };
const KEY = `k1:${Buffer.alloc(32, 1).toString('base64')}`;

test('organisations reads its secrets key ring and the webhook allow-list; other subgraphs neither', () => {
  const cfg = loadSubgraphConfig('organisations', {
    ...DB,
    SECRETS_KEY: KEY,
    WEBHOOK_ALLOWED_TARGETS: '127.0.0.1/32, localhost',
  });
  expect(cfg.secretsKey).toEqual({ kind: 'inline', value: KEY });
  expect(cfg.webhookAllowList.hosts).toEqual(['localhost']);
  expect(cfg.webhookAllowList.cidrs).toHaveLength(1);
  expect(
    loadSubgraphConfig('organisations', { ...DB, SECRETS_KEY_FILE: '/etc/epidemic/secrets.key' }).secretsKey,
  ).toEqual({ kind: 'file', path: '/etc/epidemic/secrets.key', createIfMissing: false });
  expect(loadSubgraphConfig('organisations', DB).secretsKey).toMatchObject({ kind: 'file', createIfMissing: true });
  const movement = loadSubgraphConfig('movement', { ...DB, WEBHOOK_ALLOWED_TARGETS: 'localhost' });
  expect(movement.secretsKey).toBeUndefined();
  expect(movement.webhookAllowList).toEqual({ hosts: [], cidrs: [] });
});

test.each([
  [{ SECRETS_KEY: KEY, SECRETS_KEY_FILE: '/x' }, 'set SECRETS_KEY or SECRETS_KEY_FILE, not both'],
  [{ SECRETS_KEY: 'k1:short' }, 'SECRETS_KEY: secrets key must be "<kid>:<base64 of exactly 32 bytes>"'],
  [{ WEBHOOK_ALLOWED_TARGETS: '10.0.0.0/40' }, 'WEBHOOK_ALLOWED_TARGETS: "10.0.0.0/40" is not a CIDR'],
  [
    {
      NODE_ENV: 'production',
      INTERNAL_JWKS_URL: 'https://gw/jwks',
      PSEUDONYM_KEY_FILE: '/p',
      SEED_DEVELOPMENT_DATA: 'false',
    },
    'SECRETS_KEY or SECRETS_KEY_FILE is required in production',
  ],
])('%j is refused', (env, message) => {
  expect(() => loadSubgraphConfig('organisations', { ...DB, ...env })).toThrow(new ConfigError(message));
});
