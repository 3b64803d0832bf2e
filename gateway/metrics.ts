import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Request, Response } from 'express';
import { Counter, Histogram } from 'prom-client';
import { createGraphQLMetrics } from '../subgraphs/kit/metrics';

/**
 * The gateway's Prometheus metrics (kit/metrics.ts for the shared GraphQL series): requests,
 * latency and errors by operation name and code, and every subgraph call's latency and outcome
 * per subgraph. Mounted by server.ts: the plugin, `GET /metrics`, and the observer each
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

export function createGatewayMetrics(): GatewayMetrics {
  const metrics = createGraphQLMetrics('gateway');
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
