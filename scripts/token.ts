/**
 * `npm run token -- <subject> [--ttl 1h] [--keys-dir DIR]`: prints a token from the development
 * issuer for a seeded subject (e.g. dev-centre-admin). The key pair is created on first use.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { JWK } from 'jose';
import { importSigningKey, loadOrCreateKeyFiles } from '../subgraphs/kit/keys';
import { localDir } from '../subgraphs/kit/paths';
import { issueToken } from '../gateway/dev-issuer';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { ttl: { type: 'string', default: '1h' }, 'keys-dir': { type: 'string' } },
  });
  const subject = positionals[0];
  if (!subject) {
    process.stderr.write('usage: npm run token -- <subject> [--ttl 1h] [--keys-dir DIR]\n');
    process.exit(2);
  }
  const dir = values['keys-dir'] ?? localDir('keys');
  const privatePath = join(dir, 'dev-issuer.private.json');
  const key = values['keys-dir']
    ? await importSigningKey(JSON.parse(await readFile(privatePath, 'utf8')) as JWK)
    : await loadOrCreateKeyFiles(privatePath, join(dir, 'dev-issuer.jwks.json'));
  process.stdout.write(`${await issueToken(key, subject, { expiresIn: values.ttl })}\n`);
}

void main();
