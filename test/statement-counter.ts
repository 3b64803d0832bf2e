import type { DataSource, QueryRunner } from 'typeorm';

export interface StatementCounter {
  /** SQL statements sent through the DataSource since the last reset. */
  readonly statements: string[];
  reset(): void;
  restore(): void;
}

/**
 * Records every statement a DataSource sends, by wrapping the query runners it creates (every
 * repository, query builder and `ds.query` call goes through one). Counts, never timings.
 */
export function countStatements(ds: DataSource): StatementCounter {
  const statements: string[] = [];
  const original = ds.createQueryRunner.bind(ds);
  const spy = jest.spyOn(ds, 'createQueryRunner').mockImplementation((mode?: 'master' | 'slave'): QueryRunner => {
    const runner = original(mode);
    const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
    runner.query = ((...args: unknown[]) => {
      statements.push(String(args[0]));
      return query(...args);
    }) as QueryRunner['query'];
    return runner;
  });
  return {
    statements,
    reset: () => {
      statements.length = 0;
    },
    restore: () => spy.mockRestore(),
  };
}
