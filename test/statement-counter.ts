import type { DataSource, QueryRunner } from 'typeorm';
import { servingDataSourceOf } from './databases';

export interface StatementCounter {
  /** SQL statements sent through the DataSource since the last reset. */
  readonly statements: string[];
  reset(): void;
  restore(): void;
}

/** The one read-audit INSERT per request (kit/audit.ts): not a data statement, so not counted. */
const AUDIT_WRITE = /^\s*INSERT INTO audit_record\b/;

/**
 * Records every statement a DataSource sends, by wrapping the query runners it creates (every
 * repository, query builder and `ds.query` call goes through one). Counts, never timings. Given a
 * test database's owner DataSource, it also counts the application-role DataSource the subgraph
 * serves that database with (test/databases.ts). The read audit's INSERT is left out.
 */
export function countStatements(ds: DataSource): StatementCounter {
  const statements: string[] = [];
  const targets = [...new Set([ds, servingDataSourceOf(ds)])];
  const spies = targets.map((target) => {
    const original = target.createQueryRunner.bind(target);
    return jest.spyOn(target, 'createQueryRunner').mockImplementation((mode?: 'master' | 'slave'): QueryRunner => {
      const runner = original(mode);
      const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
      runner.query = ((...args: unknown[]) => {
        const sql = String(args[0]);
        if (!AUDIT_WRITE.test(sql)) statements.push(sql);
        return query(...args);
      }) as QueryRunner['query'];
      return runner;
    });
  });
  return {
    statements,
    reset: () => {
      statements.length = 0;
    },
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}
