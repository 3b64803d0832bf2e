/**
 * `npm run compose`: composes rover.yaml in-process and writes schema/supergraph.graphql.
 * `npm run check:schema`: fails when the committed supergraph differs from a fresh composition.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeRoverConfig } from '../gateway/composition';
import { ROOT } from '../subgraphs/kit/paths';

const check = process.argv.includes('--check');
const out = join(ROOT, 'schema', 'supergraph.graphql');
const outcome = composeRoverConfig(join(ROOT, 'rover.yaml'));
if (!outcome.supergraphSdl) {
  process.stderr.write(`composition failed with ${outcome.errors.length} error(s):\n${outcome.errors.join('\n')}\n`);
  process.exit(1);
}
if (check) {
  let committed = '';
  try {
    committed = readFileSync(out, 'utf8');
  } catch {
    // missing file: reported as stale below
  }
  if (committed !== outcome.supergraphSdl) {
    process.stderr.write('schema/supergraph.graphql is stale: run `npm run compose` and commit the result\n');
    process.exit(1);
  }
  process.stdout.write('schema/supergraph.graphql matches a fresh composition\n');
} else {
  writeFileSync(out, outcome.supergraphSdl);
  process.stdout.write(`wrote schema/supergraph.graphql (${outcome.hints.length} composition hint(s))\n`);
}
