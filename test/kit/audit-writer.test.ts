import type { DataSource } from 'typeorm';
import { AuditCollector, AuditWriter } from '../../subgraphs/kit/audit';
import type { Principal } from '../../subgraphs/kit/principal';

/**
 * The read audit's group commit (kit/audit.ts AuditWriter): a lone request's records are inserted
 * at once; records of requests finishing during an insert go together in the next one; each
 * request's promise settles only once its own rows are stored; a failed shared insert is retried
 * request by request, so only the request whose rows cannot be stored fails.
 */

const principal = (n: number): Principal => ({
  subject: `user-${n}`,
  kind: 'user',
  organisationCode: 'ORG',
  roles: [],
  scopes: [],
  jurisdictions: [],
  purpose: 'test',
  requestId: `req-${n}`,
});
const reads = (...ids: string[]) => {
  const c = new AuditCollector();
  for (const id of ids) c.record('Citizen', id, 'identity');
  return c;
};

/** A pool whose inserts wait until released; records the rows (request ids) of each. */
function fakeDb(opts: { fail?: (requestIds: string[]) => boolean } = {}) {
  const inserts: string[][] = [];
  const waiting: (() => void)[] = [];
  const db = {
    query: async (sql: string, params: unknown[]): Promise<unknown> => {
      expect(sql).toMatch(/^INSERT INTO audit_record/);
      const requestIds = params.filter((_, i) => i % 9 === 7) as string[];
      inserts.push(requestIds);
      await new Promise<void>((r) => waiting.push(r));
      if (opts.fail?.(requestIds)) throw new Error('insert failed');
      return [];
    },
  } as Pick<DataSource, 'query'>;
  const releaseAll = async () => {
    while (waiting.length || (await settled())) waiting.shift()?.();
  };
  const settled = async () => {
    await new Promise((r) => setImmediate(r));
    return waiting.length > 0;
  };
  return { db, inserts, waiting, releaseAll, settled };
}

test('a lone request is inserted at once; requests finishing meanwhile share the next insert', async () => {
  const f = fakeDb();
  const writer = new AuditWriter(f.db);
  const first = writer.write(principal(1), reads('a', 'b'));
  expect(f.inserts).toEqual([['req-1', 'req-1']]); // started at once, nothing waited for
  const states: string[] = [];
  const later = [2, 3, 4].map((n) => writer.write(principal(n), reads(`c${n}`)).then(() => states.push(`req-${n}`)));
  void first.then(() => states.push('req-1'));
  await f.settled();
  expect(f.inserts).toHaveLength(1); // the others wait for the running insert
  f.waiting.shift()!();
  await f.settled();
  expect(states).toEqual(['req-1']); // theirs is not stored yet
  expect(f.inserts).toEqual([
    ['req-1', 'req-1'],
    ['req-2', 'req-3', 'req-4'],
  ]);
  f.waiting.shift()!();
  await Promise.all(later);
  expect(states).toEqual(['req-1', 'req-2', 'req-3', 'req-4']);
});

test('a shared insert that fails is retried request by request: only the request that cannot be stored fails', async () => {
  const f = fakeDb({ fail: (ids) => ids.includes('req-3') });
  const writer = new AuditWriter(f.db);
  const first = writer.write(principal(1), reads('a'));
  const others = [2, 3, 4].map((n) =>
    writer.write(principal(n), reads(`c${n}`)).then(
      () => 'ok',
      () => 'failed',
    ),
  );
  await f.releaseAll();
  await first;
  expect(await Promise.all(others)).toEqual(['ok', 'failed', 'ok']);
  expect(f.inserts).toEqual([['req-1'], ['req-2', 'req-3', 'req-4'], ['req-2'], ['req-3'], ['req-4']]);
});

test('an insert takes requests up to its row limit, never splitting one; nothing read, nothing written', async () => {
  const f = fakeDb();
  const writer = new AuditWriter(f.db, 3);
  const writes = [
    writer.write(principal(1), reads('a')),
    writer.write(principal(2), reads('a', 'b')),
    writer.write(principal(3), reads('a')),
    writer.write(principal(4), reads('a', 'b', 'c', 'd')), // over the limit alone: its own insert
    writer.write(principal(5), new AuditCollector()),
  ];
  await f.releaseAll();
  await Promise.all(writes);
  expect(f.inserts).toEqual([['req-1'], ['req-2', 'req-2', 'req-3'], ['req-4', 'req-4', 'req-4', 'req-4']]);
});
