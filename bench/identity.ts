import { createHash, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { issueToken } from '../gateway/dev-issuer';
import { signInternalToken } from '../subgraphs/kit/internal-token';
import { generateSigningKey, writeKeyFiles } from '../subgraphs/kit/keys';
import type { Principal } from '../subgraphs/kit/principal';
import { formatPseudonymKey, type PseudonymKey } from '../subgraphs/kit/pseudonym';
import { scopesForRoles } from '../subgraphs/kit/roles';
import { SUBGRAPHS } from '../subgraphs/kit/module';
import { BENCH_ORGANISATION, BENCH_SUBJECT } from './seed';

export const BENCH_ISSUER = 'urn:epidemic-federation:bench-issuer';
export const BENCH_AUDIENCE = 'epidemic-federation';
export const BENCH_PURPOSE = 'benchmark: synthetic data only';

export interface BenchIdentity {
  files: { issuerJwks: string; internalPrivate: string; internalJwks: string; pseudonymKey: string };
  pseudonymKey: PseudonymKey;
  /** The caller's JWT for our gateway (the bench issuer's, trusted only by the bench's gateway). */
  userToken: string;
  /** The long-lived internal token the stock and Hive gateways forward (subgraphs in BENCH_MODE). */
  fixedInternalToken: string;
}

/**
 * Keys and tokens of one bench run: an issuer for callers, an internal signing key (our gateway signs
 * its own short-lived tokens with it; the fixed bench token is signed with it too, for every subgraph
 * audience), and a pseudonymisation key derived from the seed so refs are deterministic.
 */
export async function benchIdentity(dir: string, seed: number, lifetimeSeconds: number): Promise<BenchIdentity> {
  const files = {
    issuerJwks: join(dir, 'issuer-jwks.json'),
    internalPrivate: join(dir, 'internal-signing.private.json'),
    internalJwks: join(dir, 'internal-jwks.json'),
    pseudonymKey: join(dir, 'pseudonym.key'),
  };
  const issuer = await generateSigningKey();
  await writeFile(files.issuerJwks, JSON.stringify(issuer.jwks), { mode: 0o644 });
  const internal = await generateSigningKey();
  await writeKeyFiles(internal, files.internalPrivate, files.internalJwks);
  const pseudonymKey: PseudonymKey = {
    version: 'b1',
    secret: createHash('sha256').update(`epidemic-bench-${seed}`).digest(),
  };
  await writeFile(files.pseudonymKey, formatPseudonymKey(pseudonymKey), { mode: 0o600 });

  const roles = ['checkpoint_officer', 'health_official'];
  const principal: Principal = {
    subject: BENCH_SUBJECT,
    kind: 'user',
    organisationCode: BENCH_ORGANISATION,
    roles,
    scopes: scopesForRoles(roles),
    jurisdictions: [{ unitCode: null, includeDescendants: true }],
    purpose: BENCH_PURPOSE,
    requestId: randomUUID(),
  };
  return {
    files,
    pseudonymKey,
    userToken: await issueToken(issuer.signing, BENCH_SUBJECT, {
      issuer: BENCH_ISSUER,
      audience: BENCH_AUDIENCE,
      expiresIn: `${lifetimeSeconds}s`,
    }),
    fixedInternalToken: await signInternalToken(internal.signing, principal, [...SUBGRAPHS], lifetimeSeconds),
  };
}
