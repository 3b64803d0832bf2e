import type { DataSource, EntitySchema, MigrationInterface } from 'typeorm';
import type { Logger } from './logger';
import type { PseudonymKey } from './pseudonym';
import type { RetentionRule } from './retention';
import type { SubgraphResolvers } from './server';

/** Everything that defines one subgraph; used by its main, the stack, the tests and the checks. */
export interface SubgraphModule {
  name: SubgraphName;
  entities: (EntitySchema | (new (...args: never[]) => unknown))[];
  migrations: (new () => MigrationInterface)[];
  resolvers: SubgraphResolvers;
  /** Reference data every deployment needs; runs when the database lacks it (idempotent). */
  seedReference?: (db: DataSource, log: Logger) => Promise<void>;
  /**
   * Development-only data (dev users, demo records); never in production. `ctx.pseudonymKey` is the
   * key the subgraph runs with, so demo records get the same `Citizen.ref` in every subgraph.
   */
  seedDevelopment?: (db: DataSource, log: Logger, ctx?: SeedContext) => Promise<void>;
  /** Retention rules, children first (kit/retention.ts); none: nothing of it expires. */
  retention?: readonly RetentionRule[];
}

/** What development seeds receive besides the database and the logger. */
export interface SeedContext {
  pseudonymKey: PseudonymKey;
}

export const SUBGRAPHS = ['organisations', 'declarations', 'movement', 'feedback', 'checkpoints'] as const;
export type SubgraphName = (typeof SUBGRAPHS)[number];

export const DEFAULT_PORTS: Readonly<Record<SubgraphName, number>> = {
  organisations: 4001,
  declarations: 4002,
  movement: 4003,
  feedback: 4004,
  checkpoints: 4005,
};
