/**
 * `npm run compose`: composes rover.yaml in-process and writes schema/supergraph.graphql — unless
 * the new schema breaks a registered consumer operation (schema/operations/*.json); then it names
 * each one and writes nothing (`--allow-breaking` writes anyway).
 * `npm run check:schema`: fails when a registered operation is not valid against a fresh composition
 * (or breaks against the committed supergraph), or when the committed supergraph differs from it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { GraphQLSchema } from 'graphql';
import { composeRoverConfig } from '../gateway/composition';
import { apiSchemaOf, checkOperations, describeBroken } from '../gateway/operation-check';
import { loadManifests, ManifestError, type OperationManifest } from '../gateway/trusted-documents/manifests';
import { ROOT } from '../subgraphs/kit/paths';

const check = process.argv.includes('--check');
const allowBreaking = process.argv.includes('--allow-breaking');
const out = join(ROOT, 'schema', 'supergraph.graphql');
const outcome = composeRoverConfig(join(ROOT, 'rover.yaml'));
if (!outcome.supergraphSdl) {
  process.stderr.write(`composition failed with ${outcome.errors.length} error(s):\n${outcome.errors.join('\n')}\n`);
  process.exit(1);
}

let manifests: Map<string, OperationManifest>;
try {
  manifests = loadManifests(join(ROOT, 'schema', 'operations'));
} catch (e) {
  if (!(e instanceof ManifestError)) throw e;
  process.stderr.write(`operation manifest: ${e.message.replace(`${ROOT}/`, '')}\n`);
  process.exit(1);
}

let committed = '';
try {
  committed = readFileSync(out, 'utf8');
} catch {
  // missing file: nothing to compare with, and stale below
}
let previous: GraphQLSchema | undefined;
try {
  previous = committed && committed !== outcome.supergraphSdl ? apiSchemaOf(committed) : undefined;
} catch {
  previous = undefined; // an unreadable committed supergraph: validation alone
}
const broken = checkOperations(manifests.values(), apiSchemaOf(outcome.supergraphSdl), previous).map((b) => ({
  ...b,
  file: relative(ROOT, b.file),
}));
const operationCount = [...manifests.values()].reduce((n, m) => n + m.operations.length, 0);
if (broken.length) {
  process.stderr.write(
    `this composition breaks ${broken.length} registered consumer operation(s):\n${describeBroken(broken)}\n`,
  );
  if (check || !allowBreaking) process.exit(1);
}

if (check) {
  if (committed !== outcome.supergraphSdl) {
    process.stderr.write('schema/supergraph.graphql is stale: run `npm run compose` and commit the result\n');
    process.exit(1);
  }
  process.stdout.write(
    `schema/supergraph.graphql matches a fresh composition; ${operationCount} registered operation(s) of ${manifests.size} client(s) are valid\n`,
  );
} else {
  writeFileSync(out, outcome.supergraphSdl);
  process.stdout.write(`wrote schema/supergraph.graphql (${outcome.hints.length} composition hint(s))\n`);
}
