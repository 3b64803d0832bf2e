/**
 * `NODE_ENV=production npx tsx bench/variable-check.ts` (docs/PERFORMANCE.md, step 16): the
 * gateway's check of a request's variables, graphql-js's `getVariableValues` (which builds the
 * coerced copy @apollo/gateway throws away) against `variablesSurelyValid` (gateway/variables.ts),
 * on the API schema and an ingest batch of 1,000 passages as the bench sends it. Prints the mean
 * milliseconds per batch over 300 checks, three times. NODE_ENV=production as the gateway runs
 * (graphql-js's development mode adds its own checks).
 */
import { readFileSync } from 'node:fs';
import { getVariableValues, parse, type OperationDefinitionNode } from 'graphql';
import { apiSchemaOf } from '../gateway/operation-check';
import { variablesSurelyValid } from '../gateway/variables';
import { schemaFile } from '../subgraphs/kit/paths';
import { ingestPassages } from './scenarios';

const CHECKS = 300;

const schema = apiSchemaOf(readFileSync(schemaFile('supergraph.graphql'), 'utf8'));
const operation = parse(`mutation Batch($device: String!, $passages: [BatchPassageInput!]!) {
  recordPassagesBatch(deviceId: $device, passages: $passages) { stored duplicates rejected } }`)
  .definitions[0] as OperationDefinitionNode;
const definitions = operation.variableDefinitions ?? [];
const variables = {
  device: 'bench-device',
  passages: ingestPassages(
    { kind: 'batch', deviceId: 'bench-device', refs: ['a', 'b'], size: 1_000, now: Date.now() },
    0,
  ),
};

const meanMs = (check: () => unknown): number => {
  const start = process.hrtime.bigint();
  for (let i = 0; i < CHECKS; i++) check();
  return Number(process.hrtime.bigint() - start) / 1e6 / CHECKS;
};

if (getVariableValues(schema, definitions, variables).errors || !variablesSurelyValid(schema, definitions, variables)) {
  throw new Error('the batch is not valid: the comparison would be meaningless');
}
for (let round = 1; round <= 3; round++) {
  const full = meanMs(() => getVariableValues(schema, definitions, variables));
  const fast = meanMs(() => variablesSurelyValid(schema, definitions, variables));
  process.stdout.write(
    `round ${round}: getVariableValues ${full.toFixed(2)} ms, variablesSurelyValid ${fast.toFixed(2)} ms per batch of 1,000\n`,
  );
}
