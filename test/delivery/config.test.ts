import { loadDeliveryConfig } from '../../delivery/config';
import { ConfigError } from '../../subgraphs/kit/config';

/** The worker's configuration: typed, with defaults for local use and refusals for production. */

const base = { DATABASE_URL: 'postgres://app@127.0.0.1:5432/epidemic_organisations' };

describe('delivery configuration', () => {
  test('local defaults: the npm start ports, the documented policy', () => {
    const cfg = loadDeliveryConfig(base);
    expect(cfg.subgraphUrls.checkpoints).toBe('http://127.0.0.1:4005/graphql');
    expect(cfg.policy).toMatchObject({ maxFailures: 8, batchSize: 100, concurrency: 8, requestTimeoutMs: 10_000 });
    expect(cfg.secretsKey).toMatchObject({ kind: 'file', createIfMissing: true });
  });

  test('production needs every subgraph URL and the secrets key; bad values are ConfigErrors', () => {
    expect(() => loadDeliveryConfig({ ...base, NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadDeliveryConfig({ ...base, DELIVERY_MAX_FAILURES: '0' })).toThrow(/DELIVERY_MAX_FAILURES/);
    expect(() => loadDeliveryConfig({ ...base, SECRETS_KEY: 'nope' })).toThrow(/SECRETS_KEY/);
    expect(() => loadDeliveryConfig({ ...base, WEBHOOK_ALLOWED_TARGETS: 'not a host!' })).toThrow(
      /WEBHOOK_ALLOWED_TARGETS/,
    );
    // a lease shorter than a feed read plus a POST could let two workers send the same batch at once
    expect(() => loadDeliveryConfig({ ...base, DELIVERY_TIMEOUT_MS: '10000', DELIVERY_LEASE_MS: '15000' })).toThrow(
      /DELIVERY_LEASE_MS/,
    );
    expect(() => loadDeliveryConfig({})).toThrow(/DATABASE_URL/);
  });
});
