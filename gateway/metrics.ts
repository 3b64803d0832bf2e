import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Request, Response } from 'express';
import { Counter, Histogram, type Registry } from 'prom-client';
import { createGraphQLMetrics } from '../subgraphs/kit/metrics';

/**
 * The gateway's Prometheus metrics (kit/metrics.ts for the shared GraphQL series): requests,
 * latency and errors by operation name and code, and every subgraph call's latency and outcome
 * per subgraph (calls actually sent: entity fetches answered from the entity cache are not calls), and
 * what the transport spared (shared calls, entity cache hits and misses, tokens signed). Mounted by server.ts: the plugin, `GET /metrics`, and the observer each
 * `SignedSubgraphSource` wraps its calls in.
 */

/** Wraps one subgraph call: records its latency and whether it failed (threw). */
export type SubgraphCallObserver = <T>(subgraph: string, call: () => Promise<T>) => Promise<T>;

export interface GatewayMetrics {
  plugin: ApolloServerPlugin<BaseContext>;
  handler: (req: Request, res: Response) => Promise<void>;
  observeSubgraphCall: SubgraphCallObserver;
}

const SUBGRAPH_NAME = /^[a-z][a-z0-9_-]{0,39}$/;

/** What the subgraph transport has spared so far (gateway/subgraph-source.ts): monotonic counts. */
export interface TransportStats {
  shared: number;
  entityCacheHits: number;
  entityCacheMisses: number;
  tokensSigned: number;
}

/** A counter that reports a monotonic count kept elsewhere (it adds what the count grew by at each scrape). */
function countFrom(registry: Registry, name: string, help: string, read: () => number | undefined): void {
  let last = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const now = read() ?? last;
      if (now > last) this.inc(now - last);
      last = now;
    },
  });
}

export function createGatewayMetrics(stats?: () => TransportStats): GatewayMetrics {
  const metrics = createGraphQLMetrics('gateway');
  const read = (k: keyof TransportStats) => () => stats?.()[k];
  countFrom(
    metrics.registry,
    'gateway_subgraph_calls_shared_total',
    'Subgraph calls answered by an identical call of the same caller already in flight (SUBGRAPH_DEDUPE)',
    read('shared'),
  );
  countFrom(
    metrics.registry,
    'gateway_entity_cache_hits_total',
    'Entity representations answered from the entity cache (ENTITY_CACHE_SIZE)',
    read('entityCacheHits'),
  );
  countFrom(
    metrics.registry,
    'gateway_entity_cache_misses_total',
    'Distinct entity representations sent to subgraphs, not found in the entity cache',
    read('entityCacheMisses'),
  );
  countFrom(
    metrics.registry,
    'gateway_internal_tokens_signed_total',
    'Internal tokens signed for subgraph calls (reused per caller for 30 s)',
    read('tokensSigned'),
  );
  const latency = new Histogram({
    name: 'gateway_subgraph_request_duration_seconds',
    help: 'Time of each call from the gateway to a subgraph, by subgraph',
    labelNames: ['subgraph'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [metrics.registry],
  });
  const calls = new Counter({
    name: 'gateway_subgraph_requests_total',
    help: 'Calls from the gateway to a subgraph, by subgraph and outcome (ok, failed: no usable response)',
    labelNames: ['subgraph', 'outcome'] as const,
    registers: [metrics.registry],
  });
  const observeSubgraphCall: SubgraphCallObserver = async (name, call) => {
    const subgraph = SUBGRAPH_NAME.test(name) ? name : 'other';
    const end = latency.startTimer({ subgraph });
    try {
      const result = await call();
      calls.inc({ subgraph, outcome: 'ok' });
      return result;
    } catch (e) {
      calls.inc({ subgraph, outcome: 'failed' });
      throw e;
    } finally {
      end();
    }
  };
  return { plugin: metrics.plugin, handler: metrics.handler, observeSubgraphCall };
}
