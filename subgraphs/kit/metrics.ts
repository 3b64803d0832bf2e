import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Request, Response } from 'express';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';

/**
 * Prometheus metrics (prom-client), one registry per server so several servers in one process (the
 * tests' stack) never share series. Labels are operation names, error codes, subgraph names and
 * fixed states only — never variables, ids or anything a caller typed except a well-formed
 * operation name (and not even that when it looks like it carries a number: see `operationLabel`).
 */

const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;
/** A run of digits long enough to be an identity number, a phone or a date: never a label. */
const DIGIT_RUN = /\d{6,}/;
const ERROR_CODE = /^[A-Z][A-Z_]{0,49}$/;
/** Distinct operation names kept per registry; later ones count as `other` (bounded series). */
const MAX_OPERATIONS = 500;

export class OperationLabels {
  private readonly seen = new Set<string>();

  /** The label of an operation name: the name, `anonymous` when there is none, else `other`. */
  of(name: string | null | undefined): string {
    if (name === null || name === undefined || name === '') return 'anonymous';
    if (!OPERATION_NAME.test(name) || DIGIT_RUN.test(name)) return 'other';
    if (this.seen.has(name)) return name;
    if (this.seen.size >= MAX_OPERATIONS) return 'other';
    this.seen.add(name);
    return name;
  }
}

export const errorCodeLabel = (code: unknown): string =>
  typeof code === 'string' && ERROR_CODE.test(code) ? code : 'UNKNOWN';

export interface GraphQLMetrics {
  registry: Registry;
  /** Apollo Server plugin: requests, latency and errors by operation name (and code). */
  plugin: ApolloServerPlugin<BaseContext>;
  /** Express handler of `GET /metrics` (Prometheus text format). */
  handler: (req: Request, res: Response) => Promise<void>;
}

/** The GraphQL series every server has, on a fresh registry labelled `service`. */
export function createGraphQLMetrics(service: string): GraphQLMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  const labels = new OperationLabels();
  const requests = new Counter({
    name: 'graphql_requests_total',
    help: 'GraphQL operations answered, by operation name',
    labelNames: ['operation'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'Time from receiving a GraphQL operation to sending its response, by operation name',
    labelNames: ['operation'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'graphql_errors_total',
    help: 'Errors in GraphQL responses, by operation name and error code',
    labelNames: ['operation', 'code'] as const,
    registers: [registry],
  });
  const plugin: ApolloServerPlugin<BaseContext> = {
    async requestDidStart() {
      const end = duration.startTimer();
      return {
        async willSendResponse(rc) {
          const operation = labels.of(rc.operationName ?? rc.request.operationName);
          requests.inc({ operation });
          end({ operation });
          const list = rc.response.body.kind === 'single' ? (rc.response.body.singleResult.errors ?? []) : [];
          for (const e of list) errors.inc({ operation, code: errorCodeLabel(e.extensions?.code) });
        },
      };
    },
  };
  return { registry, plugin, handler: metricsHandler(registry) };
}

export function metricsHandler(registry: Registry): (req: Request, res: Response) => Promise<void> {
  return async (_req, res) => {
    res.setHeader('content-type', registry.contentType);
    res.end(await registry.metrics());
  };
}

interface PgPoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/** The node-postgres pool behind a TypeORM DataSource (null before it is initialised). */
function poolOf(ds: DataSource): PgPoolCounts | null {
  if (!ds.isInitialized) return null;
  const pool = (ds.driver as unknown as { master?: PgPoolCounts }).master;
  return pool && typeof pool.totalCount === 'number' ? pool : null;
}

/** A subgraph's metrics: the GraphQL series plus its database pool (total, idle, waiting). */
export function createSubgraphMetrics(name: string, dataSource: DataSource): GraphQLMetrics {
  const metrics = createGraphQLMetrics(name);
  new Gauge({
    name: 'db_pool_connections',
    help: 'Database pool connections: total open, idle, and requests waiting for one',
    labelNames: ['state'] as const,
    registers: [metrics.registry],
    collect() {
      const pool = poolOf(dataSource);
      this.set({ state: 'total' }, pool?.totalCount ?? 0);
      this.set({ state: 'idle' }, pool?.idleCount ?? 0);
      this.set({ state: 'waiting' }, pool?.waitingCount ?? 0);
    },
  });
  return metrics;
}
