import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, print, visit, type DirectiveNode } from 'graphql';
import { composeRoverConfig, readRoverConfig } from '../gateway/composition';
import { SUBGRAPHS } from '../subgraphs/kit/module';
import { ROOT, schemaFile } from '../subgraphs/kit/paths';

const ROVER = join(ROOT, 'rover.yaml');
const CLASSES = ['operational', 'personal', 'sensitive', 'restricted'];

test('rover.yaml pins the gateway version and names every subgraph schema file', () => {
  const config = readRoverConfig(ROVER);
  const gatewayVersion = (
    JSON.parse(readFileSync(join(ROOT, 'node_modules/@apollo/gateway/package.json'), 'utf8')) as { version: string }
  ).version;
  const compositionVersion = (
    JSON.parse(readFileSync(join(ROOT, 'node_modules/@apollo/composition/package.json'), 'utf8')) as { version: string }
  ).version;
  expect(config.federationVersion).toBe(gatewayVersion);
  expect(compositionVersion).toBe(gatewayVersion);
  expect(config.subgraphs.map((s) => s.name).sort()).toEqual([...SUBGRAPHS].sort());
  for (const s of config.subgraphs) expect(s.schemaFile).toBe(schemaFile(`${s.name}.graphql`));
});

test('the committed supergraph equals a fresh composition', () => {
  const outcome = composeRoverConfig(ROVER);
  expect(outcome.errors).toEqual([]);
  expect(outcome.supergraphSdl).toBe(readFileSync(schemaFile('supergraph.graphql'), 'utf8'));
});

test('composition errors carry their code and the files involved', () => {
  const broken = `${readFileSync(schemaFile('checkpoints.graphql'), 'utf8')}\nextend type Query { organisations: Int @access(class: "operational", scopes: [["org:read"]]) }\n`;
  const outcome = composeRoverConfig(ROVER, { checkpoints: broken });
  expect(outcome.supergraphSdl).toBeUndefined();
  expect(outcome.errors.length).toBeGreaterThan(0);
  expect(outcome.errors.join('\n')).toMatch(/\[[A-Z_]+\]/);
  expect(outcome.errors.join('\n')).toContain('schema/checkpoints.graphql');
});

test('unparsable SDL is reported with the file', () => {
  const outcome = composeRoverConfig(ROVER, { feedback: 'type Query {' });
  expect(outcome.errors[0]).toMatch(/^\[INVALID_GRAPHQL\] schema\/feedback.graphql: /);
});

test('the @access directive is defined once, repeatable, composed, and the supergraph keeps it', () => {
  const header = readFileSync(join(ROOT, 'subgraphs/kit/access-directive.graphql'), 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n')
    .trim();
  for (const name of SUBGRAPHS) {
    expect(readFileSync(schemaFile(`${name}.graphql`), 'utf8').startsWith(header)).toBe(true);
  }
  const supergraph = readFileSync(schemaFile('supergraph.graphql'), 'utf8');
  expect(supergraph).toMatch(/directive @access\(class: String!, scopes: \[\[String!\]!\] = \[\]\) repeatable on/);
});

test.each([...SUBGRAPHS])('every field of the %s subgraph is classified with @access', (name) => {
  const doc = parse(readFileSync(schemaFile(`${name}.graphql`), 'utf8'));
  const unclassified: string[] = [];
  const badClass: string[] = [];
  const check = (where: string, directives: readonly DirectiveNode[] | undefined) => {
    const access = (directives ?? []).filter((d) => d.name.value === 'access');
    if (access.length === 0) unclassified.push(where);
    for (const d of access) {
      const cls = d.arguments?.find((a) => a.name.value === 'class')?.value;
      if (cls?.kind !== 'StringValue' || !CLASSES.includes(cls.value)) badClass.push(where);
    }
  };
  visit(doc, {
    ObjectTypeDefinition(node) {
      for (const f of node.fields ?? []) check(`${node.name.value}.${f.name.value}`, f.directives);
    },
    ObjectTypeExtension(node) {
      for (const f of node.fields ?? []) check(`${node.name.value}.${f.name.value}`, f.directives);
    },
  });
  expect(unclassified).toEqual([]);
  expect(badClass).toEqual([]);
});

test('the shared data-subject and change-feed types are the same in every subgraph that declares them', () => {
  // @shareable value types must be declared by each subgraph; a copy that drifts (another rule, a
  // missing field) would silently narrow who may read it or what it carries.
  const SHARED = [
    'AccessLogEntry',
    'PersonalRecord',
    'ErasureReport',
    'ErasedRecords',
    'ErasureAction',
    'DataSubjectRequestInput',
    'ChangeKind',
    'JSONObject',
  ];
  const copies = new Map<string, Map<string, string>>();
  for (const name of SUBGRAPHS) {
    const doc = parse(readFileSync(schemaFile(`${name}.graphql`), 'utf8'));
    for (const def of doc.definitions) {
      if (!('name' in def) || !def.name || !SHARED.includes(def.name.value)) continue;
      const byName = copies.get(def.name.value) ?? new Map<string, string>();
      byName.set(name, print(def));
      copies.set(def.name.value, byName);
    }
  }
  expect([...copies.keys()].sort()).toEqual([...SHARED].sort());
  for (const [type, bySubgraph] of copies) {
    const distinct = new Set(bySubgraph.values());
    expect({ type, copies: distinct.size }).toEqual({ type, copies: 1 });
  }
});
