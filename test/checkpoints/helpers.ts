import type { DataSource } from 'typeorm';
import type { GraphQLResponse } from '../stack';

/**
 * Shared by the checkpoints tests. Passages must be recent (scans older than 30 days are refused,
 * none may be in the future), so times are offsets from one instant taken when the file loads:
 * the data is the same on every run relative to it.
 */
export const NOW = new Date();

/** `minutes` before NOW. */
export const ago = (minutes: number): Date => new Date(NOW.getTime() - minutes * 60_000);

export const HOUR = 60;
export const DAY = 24 * HOUR;

/** Rows in a table of a subgraph's database. */
export async function count(ds: DataSource, table: string, where = 'true', params: unknown[] = []): Promise<number> {
  const [row] = (await ds.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params)) as { n: number }[];
  return row!.n;
}

/**
 * Exactly one error, with the code and the field it names; a BAD_USER_INPUT message starts with the
 * field; no SQL or stack leaks.
 */
export function expectError(res: GraphQLResponse<unknown>, code: string, field?: string, message?: RegExp): void {
  expect(res.body.errors).toHaveLength(1);
  const error = res.body.errors![0]!;
  expect(error.extensions?.code).toBe(code);
  if (field !== undefined) {
    expect(error.extensions?.field).toBe(field);
    if (code === 'BAD_USER_INPUT') expect(error.message.startsWith(`${field}: `)).toBe(true);
  }
  if (message) expect(error.message).toMatch(message);
  expect(error.message).not.toMatch(/SELECT|INSERT|UPDATE|relation|violates|at .*\.ts/);
}
