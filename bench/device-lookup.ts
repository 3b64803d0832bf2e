/**
 * `npx tsx bench/device-lookup.ts` (docs/PERFORMANCE.md, step 14): the device's look-up of its own
 * passage ids across every day partition, three ways, on a throwaway embedded PostgreSQL migrated
 * like the checkpoints subgraph (26 days of partitions behind and 7 ahead, 200,000 passages of 100
 * devices): the id list as sent (each partition's index scan sorts it), sorted once in a sub-select,
 * and the function `stored_device_passages` (sorted once, planned once per connection). Prints the
 * mean milliseconds per call for 1 and for 1,000 ids, over 50 calls on one connection after 5.
 */
import { PASSAGE_PARTITIONS } from '../subgraphs/checkpoints/retention';
import { subgraphDataSource, migrate } from '../subgraphs/kit/db';
import { ensurePartitions } from '../subgraphs/kit/partitions';
import { MODULES } from '../subgraphs/registry';
import { ensureDatabase, withThrowawayCluster } from '../scripts/postgres-cluster';

const DAY = 86_400_000;
const CALLS = 50;

const WAYS = {
  'list as sent': `SELECT id FROM passage WHERE device_id = $1 AND device_passage_id = ANY ((SELECT $2::text[])::text[])`,
  'sorted once': `SELECT id FROM passage WHERE device_id = $1
      AND device_passage_id = ANY ((SELECT array_agg(i ORDER BY i) FROM unnest($2::text[]) AS i)::text[])`,
  'function (planned once)': `SELECT id FROM stored_device_passages($1, $2::text[])`,
};

function main(): Promise<void> {
  return withThrowawayCluster('epf-lookup-', async (cluster) => {
    await ensureDatabase(cluster.url('postgres'), 'lookup');
    const mod = MODULES.checkpoints;
    const ds = subgraphDataSource(mod, cluster.url('lookup'), { poolSize: 2 });
    await ds.initialize();
    try {
      await migrate(ds);
      const now = Date.now();
      await ensurePartitions(ds, PASSAGE_PARTITIONS, new Date(now - 26 * DAY), new Date(now + 7 * DAY));
      const [checkpoint] = (await ds.query(
        `INSERT INTO checkpoint (name, kind, province_code, scan_mode, active_from, status, created_by)
         VALUES ('Lookup bench', 'PROVINCIAL_GATEWAY', '01', 'OPERATOR_SCANS_PERSON', now() - interval '400 days',
                 'ACTIVE', 'bench') RETURNING id`,
      )) as { id: string }[];
      await ds.query(
        `INSERT INTO passage (checkpoint_id, citizen_ref, direction, scanned_at, credential_type, decision,
                              device_id, device_passage_id, recorded_by)
         SELECT $1, 'ref' || (g % 5000), 'IN', now() - (g % 26) * interval '1 day' - (g % 86000) * interval '1 second',
                'PERSONAL_QR', 'ALLOWED', 'dev-' || (g % 100), 'p' || g, 'bench'
           FROM generate_series(1, 200000) g`,
        [checkpoint!.id],
      );
      await ds.query('VACUUM ANALYZE passage');
      const partitions = (await ds.query(
        `SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'public.passage'::regclass`,
      )) as { n: number }[];
      process.stdout.write(`${partitions[0]!.n} passage partitions, 200,000 passages of 100 devices\n`);

      const runner = ds.createQueryRunner();
      await runner.connect();
      try {
        const lists = {
          '1 id': ['new-1'],
          '1,000 ids': Array.from({ length: 1000 }, (_, j) => `new-${j}`),
        };
        for (const [label, ids] of Object.entries(lists)) {
          for (const [way, sql] of Object.entries(WAYS)) {
            for (let i = 0; i < 5; i++) await runner.query(sql, ['dev-7', ids]);
            const t0 = performance.now();
            for (let i = 0; i < CALLS; i++) await runner.query(sql, ['dev-7', ids]);
            const ms = (performance.now() - t0) / CALLS;
            process.stdout.write(`${label.padEnd(10)} ${way.padEnd(24)} ${ms.toFixed(2).padStart(7)} ms per call\n`);
          }
        }
      } finally {
        await runner.release();
      }
    } finally {
      await ds.destroy();
    }
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`device-lookup: ${(e as Error).message}\n`);
  process.exit(1);
});
