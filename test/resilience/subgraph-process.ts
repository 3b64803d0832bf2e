import { join } from 'node:path';
import { freePort } from '../../scripts/postgres-cluster';
import { signInternalToken } from '../../subgraphs/kit/internal-token';
import { generateSigningKey, writeKeyFiles, type GeneratedKeyPair } from '../../subgraphs/kit/keys';
import type { SubgraphName } from '../../subgraphs/kit/module';
import { testPrincipal } from '../subgraph-client';
import { runTs, type Proc } from '../processes';

/**
 * One subgraph as its own process (`node --import tsx subgraphs/<name>/main.ts`, as `npm start`
 * runs it) on 127.0.0.1, trusting an internal key generated for the test, called as the gateway
 * calls it.
 */
export interface SubgraphProcess {
  proc: Proc;
  base: string;
  /** POSTs an operation with an internal token for a national health official. */
  query(query: string, variables?: Record<string, unknown>, timeoutMs?: number): Promise<Answer>;
  readyz(): Promise<number>;
  /** SIGKILL if still running (afterAll). */
  kill(): void;
}

export interface Answer {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

export async function startSubgraphProcess(
  name: SubgraphName,
  dir: string,
  env: Record<string, string>,
): Promise<SubgraphProcess> {
  const key: GeneratedKeyPair = await generateSigningKey('resilience-internal');
  const jwksFile = join(dir, `${name}-internal-jwks.json`);
  await writeKeyFiles(key, join(dir, `${name}-internal.private.json`), jwksFile);
  const port = await freePort();
  const proc = runTs(`subgraphs/${name}/main.ts`, [], {
    PORT: String(port),
    INTERNAL_JWKS_FILE: jwksFile,
    PSEUDONYM_KEY: `t1:${Buffer.alloc(32, 7).toString('base64')}`, // the test key (factories/citizens.ts)
    SEED_DEVELOPMENT_DATA: 'false',
    LOG_LEVEL: 'info',
    ...env,
  });
  const base = `http://127.0.0.1:${port}`;
  const principal = testPrincipal({ roles: ['health_official'], subject: 'resilience-test' });
  return {
    proc,
    base,
    query: async (query, variables = {}, timeoutMs = 15_000) => {
      const token = await signInternalToken(key.signing, principal, name);
      const res = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(timeoutMs), // a bounded wait: a hung request fails the test
      });
      return { status: res.status, body: (await res.json()) as Answer['body'] };
    },
    readyz: async () => {
      try {
        return (await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(5_000) })).status;
      } catch {
        return 0;
      }
    },
    kill: () => {
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
    },
  };
}

export const REGISTER_CHECKPOINT = `mutation($input: RegisterCheckpointInput!) { registerCheckpoint(input: $input) { id name } }`;

/** A valid checkpoint registration in Hà Nội (the built-in unit list has the province). */
export const checkpointRegistration = (name: string) => ({
  name,
  kind: 'URBAN_CHECKPOINT',
  provinceCode: '01',
  latitude: 21.0453,
  longitude: 105.8468,
  operatorCode: 'HN-PC',
  scanMode: 'OPERATOR_SCANS_PERSON',
  activeFrom: new Date(Date.now() - 3_600_000).toISOString(),
});
