import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeRoverConfig } from '../../gateway/composition';
import { apiSchemaOf, checkOperations } from '../../gateway/operation-check';
import { loadManifests } from '../../gateway/trusted-documents/manifests';
import { ROOT, schemaFile } from '../../subgraphs/kit/paths';

/**
 * The schema check (`npm run check:schema`) validates every registered consumer operation against the
 * newly composed supergraph and names each one a subgraph change would break.
 */
const manifests = [...loadManifests(schemaFile('operations')).values()];
const committed = apiSchemaOf(readFileSync(schemaFile('supergraph.graphql'), 'utf8'));

/** Composes rover.yaml with one subgraph's SDL edited in memory; fails if the edit does not apply. */
function composeWith(subgraph: string, edit: (sdl: string) => string) {
  const sdl = readFileSync(schemaFile(`${subgraph}.graphql`), 'utf8');
  const changed = edit(sdl);
  expect(changed).not.toBe(sdl);
  const outcome = composeRoverConfig(join(ROOT, 'rover.yaml'), { [subgraph]: changed });
  expect(outcome.errors).toEqual([]);
  return apiSchemaOf(outcome.supergraphSdl!);
}

const reported = (next: ReturnType<typeof apiSchemaOf>) =>
  Object.fromEntries(
    checkOperations(manifests, next, committed).map((b) => [`${b.client}/${b.operation}`, b.problems]),
  );

test('every registered operation is valid against the committed supergraph', () => {
  expect(manifests.length).toBeGreaterThan(0);
  expect(checkOperations(manifests, committed)).toEqual([]);
});

test('a removed field names the operation that selects it', () => {
  const next = composeWith('feedback', (sdl) =>
    sdl.replace(/(type FeedbackReceipt \{[\s\S]*?)\n {2}reportedAt: DateTime![^\n]*/, '$1'),
  );
  expect(reported(next)).toEqual({
    'consumer-app/SubmitFeedback': [
      expect.stringMatching(/^Cannot query field "reportedAt" on type "FeedbackReceipt"\./),
    ],
  });
});

test('a renamed argument names the operation that passes it', () => {
  const next = composeWith('organisations', (sdl) =>
    sdl.replace('administrativeUnit(code: ID!, asOf: Date)', 'administrativeUnit(unitCode: ID!, asOf: Date)'),
  );
  const problems = reported(next)['consumer-app/AdministrativeUnit'];
  expect(problems).toEqual(
    expect.arrayContaining([expect.stringMatching(/Unknown argument "code" on field "Query.administrativeUnit"/)]),
  );
});

test('a field made nullable names the operation (validation alone cannot see it)', () => {
  const next = composeWith('feedback', (sdl) =>
    sdl.replace(/(type FeedbackReceipt \{[\s\S]*?\n {2}status: FeedbackStatus)!/, '$1'),
  );
  expect(reported(next)).toEqual({
    'consumer-app/SubmitFeedback': ['FeedbackReceipt.status changed type from FeedbackStatus! to FeedbackStatus'],
  });
});

test('a new required input field names the operations that send the input type', () => {
  const next = composeWith('feedback', (sdl) =>
    sdl.replace('input SubmitFeedbackInput {', 'input SubmitFeedbackInput {\n  consentVersion: Int!'),
  );
  expect(reported(next)).toEqual({
    'consumer-app/SubmitFeedback': ['input SubmitFeedbackInput.consentVersion was added as required (Int!)'],
  });
});

test('an additive change breaks nothing', () => {
  const next = composeWith('feedback', (sdl) =>
    sdl.replace(
      /(type FeedbackReceipt \{)/,
      '$1\n  trackingCode: String @access(class: "operational", scopes: [["feedback:write"]])',
    ),
  );
  expect(reported(next)).toEqual({});
});
