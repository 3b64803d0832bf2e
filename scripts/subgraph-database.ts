import type { DataSource } from 'typeorm';
import { subgraphDataSource } from '../subgraphs/kit/db';
import type { SubgraphName } from '../subgraphs/kit/module';
import { MODULES } from '../subgraphs/registry';

/**
 * Opens one subgraph's database for a maintenance command (a pool of 2, named `applicationName`),
 * runs `work` and always closes it. A failed connection is reported without the driver's message
 * (it may hold the URL and its password) and answers false; `work` reports its own failures.
 */
export async function onSubgraphDatabase(
  name: SubgraphName,
  url: string,
  applicationName: string,
  work: (ds: DataSource) => Promise<boolean>,
): Promise<boolean> {
  const ds = subgraphDataSource(MODULES[name], url, { poolSize: 2, applicationName });
  try {
    await ds.initialize();
  } catch {
    process.stderr.write(`cannot connect to the ${name} database\n`);
    return false;
  }
  try {
    return await work(ds);
  } finally {
    await ds.destroy();
  }
}
