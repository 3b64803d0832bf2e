import { defineConfig } from '@graphql-hive/gateway';

/**
 * Hive Gateway for the benchmark (bench/main.ts runs `hive-gateway supergraph <file> -c <this>`):
 * the same supergraph, one worker, no authorisation; every subgraph call carries the fixed bench
 * token (subgraphs in BENCH_MODE), as the stock Apollo gateway's do.
 */
const token = process.env.BENCH_FIXED_INTERNAL_TOKEN;
if (!token) throw new Error('BENCH_FIXED_INTERNAL_TOKEN is required');

export const gatewayConfig = defineConfig({
  logging: 'warn',
  propagateHeaders: {
    fromClientToSubgraphs: () => ({ authorization: `Bearer ${token}` }),
  },
});
