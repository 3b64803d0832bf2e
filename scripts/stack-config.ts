import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { tmpdir, userInfo } from 'node:os';
import { ConfigError, EnvReader, type Env, type Mode } from '../subgraphs/kit/config';
import { DEFAULT_PORTS, SUBGRAPHS, type SubgraphName } from '../subgraphs/kit/module';
import { ROOT } from '../subgraphs/kit/paths';

export interface StackConfig {
  mode: Mode;
  localDir: string;
  gatewayPort: number;
  subgraphPorts: Record<SubgraphName, number>;
  /** Database URLs given in the environment; the others are created on the embedded server. */
  databaseUrls: Partial<Record<SubgraphName, string>>;
  embeddedPostgresPort: number;
  /** Where the embedded server keeps its data when run as root and the clone is unreachable. */
  rootFallbackDataDir: string;
  logLevel: string;
}

/** `npm start`'s configuration: the only place the launcher reads its environment. */
export function loadStackConfig(env: Env): StackConfig {
  const r = new EnvReader(env);
  const mode = r.mode();
  const localDir = r.string('STACK_LOCAL_DIR', join(ROOT, '.local'));
  const databaseUrls: Partial<Record<SubgraphName, string>> = {};
  const subgraphPorts = {} as Record<SubgraphName, number>;
  for (const name of SUBGRAPHS) {
    const upper = name.toUpperCase();
    if (r.optional(`${upper}_DATABASE_URL`)) databaseUrls[name] = r.url(`${upper}_DATABASE_URL`);
    subgraphPorts[name] = r.int(`${upper}_PORT`, DEFAULT_PORTS[name], 1, 65_535);
  }
  if (mode === 'production' && Object.keys(databaseUrls).length < SUBGRAPHS.length) {
    throw new ConfigError(
      'production needs <SUBGRAPH>_DATABASE_URL for every subgraph; the embedded database is for local use',
    );
  }
  const tag = createHash('sha256').update(localDir).digest('hex').slice(0, 10);
  return {
    mode,
    localDir,
    gatewayPort: r.int('GATEWAY_PORT', 4000, 1, 65_535),
    subgraphPorts,
    databaseUrls,
    embeddedPostgresPort: r.int('EMBEDDED_POSTGRES_PORT', 54329, 1, 65_535),
    rootFallbackDataDir: join(userInfo().uid === 0 ? '/var/tmp' : tmpdir(), `epidemic-federation-${tag}`, 'postgres'),
    logLevel: r.logLevel(),
  };
}
