/**
 * `npm run rotate-keys -- [internal|issuer|all] [--keys-dir DIR] [--force]`: rotates the local
 * stack's signing keys (in `.local/keys`, or `$STACK_LOCAL_DIR/keys`) without a restart.
 *
 *   internal  the gateway's key for its tokens to the subgraphs (internal-signing.private.json,
 *             internal-jwks.json): the running gateway switches within two polls
 *             (INTERNAL_SIGNING_KEY_POLL_MS) and the subgraphs re-read the JWKS on the new key id.
 *   issuer    the development issuer's key (dev-issuer.private.json, dev-issuer.jwks.json): new
 *             `npm run token` tokens use the new key; the gateway re-reads the JWKS.
 *   all       both (the default).
 *
 * Each rotation publishes the new public key beside the current one (dropping any older key), then
 * replaces the private key. Tokens of the previous key verify until the next rotation, so rotations
 * are refused until the current key has signed for longer than its tokens live (internal: 130 s;
 * issuer: 65 min). `--force` rotates anyway: tokens of the dropped key are refused at once (a leak).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../subgraphs/kit/config';
import { INTERNAL_KEY_ROTATION_MIN_INTERVAL_MS } from '../subgraphs/kit/internal-token';
import { KeyRotationTooSoonError, rotateKeyFiles } from '../subgraphs/kit/keys';
import { DEV_ISSUER_ROTATION_MIN_INTERVAL_MS } from '../gateway/dev-issuer';
import { loadStackConfig } from './stack-config';

const KINDS = {
  internal: {
    label: 'internal signing key',
    privateFile: 'internal-signing.private.json',
    jwksFile: 'internal-jwks.json',
    minIntervalMs: INTERNAL_KEY_ROTATION_MIN_INTERVAL_MS,
  },
  issuer: {
    label: 'development issuer key',
    privateFile: 'dev-issuer.private.json',
    jwksFile: 'dev-issuer.jwks.json',
    minIntervalMs: DEV_ISSUER_ROTATION_MIN_INTERVAL_MS,
  },
} as const;
type Kind = keyof typeof KINDS;

const USAGE = 'usage: npm run rotate-keys -- [internal|issuer|all] [--keys-dir DIR] [--force]\n';

async function main(): Promise<number> {
  let values: { 'keys-dir'?: string; force?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      allowPositionals: true,
      options: {
        'keys-dir': { type: 'string' },
        force: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const which = positionals[0] ?? 'all';
  if (positionals.length > 1 || !['internal', 'issuer', 'all'].includes(which)) {
    process.stderr.write(USAGE);
    return 2;
  }
  let dir = values['keys-dir'];
  if (!dir) {
    try {
      dir = join(loadStackConfig(process.env).localDir, 'keys');
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      process.stderr.write(`rotate-keys: configuration error: ${e.message}\n`);
      return 1;
    }
  }
  const kinds: Kind[] = which === 'all' ? ['internal', 'issuer'] : [which as Kind];
  let failed = false;
  for (const kind of kinds) {
    const k = KINDS[kind];
    try {
      const r = await rotateKeyFiles(join(dir, k.privateFile), join(dir, k.jwksFile), {
        minIntervalMs: k.minIntervalMs,
        force: values.force,
      });
      const dropped = r.droppedKids.length ? `; dropped ${r.droppedKids.join(', ')}` : '';
      process.stdout.write(
        `${k.label}: now signing with ${r.kid} (previous ${r.previousKid} still verifies${dropped})\n`,
      );
    } catch (e) {
      failed = true;
      const hint = e instanceof KeyRotationTooSoonError ? ' (or --force, refusing its tokens at once)' : '';
      process.stderr.write(`${k.label}: not rotated: ${(e as Error).message}${hint}\n`);
    }
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`rotate-keys: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
