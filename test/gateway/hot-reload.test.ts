import { copyFile, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeRoverConfig } from '../../gateway/composition';
import { ROOT, schemaFile } from '../../subgraphs/kit/paths';
import { hashOf, type SupergraphState } from '../../gateway/supergraph-file';
import { insertCheckpoint } from '../factories/checkpoints';
import { captureLogs } from '../log-capture';
import { startStack, type Stack } from '../stack';

let stack: Stack;
let dir: string;
let path: string;
const logs = captureLogs('gateway');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'epf-supergraph-'));
  path = join(dir, 'supergraph.graphql');
  await copyFile(schemaFile('supergraph.graphql'), path);
  stack = await startStack({ supergraphPath: path, supergraphPollMs: 25, logger: logs.logger });
});
afterAll(async () => {
  await stack.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Resolves at the first applied or rejected change that satisfies `done` (never sleeps). */
const changeWhere = (done: (s: SupergraphState) => boolean) =>
  new Promise<SupergraphState>((resolve) =>
    stack.gateway.supergraph.onChange((s) => {
      if (done(s)) resolve({ ...s });
    }),
  );

/** How a deployment should replace the file: write beside it, then rename over it. */
async function replaceAtomically(content: string): Promise<void> {
  await writeFile(`${path}.tmp`, content);
  await rename(`${path}.tmp`, path);
}

async function queryFields(): Promise<string[]> {
  const res = await stack
    .as('dev-centre-admin')
    .query<{ __type: { fields: { name: string }[] } }>('{ __type(name: "Query") { fields { name } } }');
  return res.body.data!.__type.fields.map((f) => f.name);
}

test('a valid new supergraph is applied without a restart; an invalid one is rejected and the old keeps serving', async () => {
  expect(await queryFields()).not.toContain('hotReloadProbe');
  const organisations = readFileSync(schemaFile('organisations.graphql'), 'utf8');
  const extended = `${organisations}\nextend type Query {\n  hotReloadProbe: String @access(class: "operational", scopes: [["org:read"]])\n}\n`;
  const composed = composeRoverConfig(join(ROOT, 'rover.yaml'), { organisations: extended });
  expect(composed.errors).toEqual([]);

  const validHash = hashOf(composed.supergraphSdl!);
  const applied = changeWhere((st) => st.hash === validHash);
  await replaceAtomically(composed.supergraphSdl!);
  const afterValid = await applied;
  expect(afterValid.lastError).toBeNull();
  expect(await queryFields()).toContain('hotReloadProbe');

  // Written in place (not atomically): the poller must still end on the rejection, never apply it.
  const invalid = 'schema @link(url: "https://specs.apollo.dev/link/v1.0") { query: Query }\ntype Query { broken: ';
  const rejected = changeWhere((st) => st.rejectedHash === hashOf(invalid));
  await writeFile(path, invalid);
  const afterInvalid = await rejected;
  expect(afterInvalid.lastError).toEqual(expect.any(String));
  expect(afterInvalid.hash).toBe(validHash);
  expect(await queryFields()).toContain('hotReloadProbe');
  const rejection = logs.lines().find((l) => l.msg === 'rejected a new supergraph; the previous schema keeps serving');
  expect(rejection?.reason).toEqual(expect.any(String));
});

test('entities kept by the entity cache are not carried over to a new supergraph', async () => {
  await insertCheckpoint(stack.db.checkpoints, { provinceCode: '01', districtCode: null, wardCode: null });
  const caller = stack.as('dev-centre-admin', { purpose: 'reload' });
  const q = '{ checkpoints(unitCode: "01", first: 5) { edges { node { province { name } } } } }';
  const counter = async (name: string) => {
    const text = await (await fetch(stack.gatewayUrl.replace(/\/graphql$/, '/metrics'))).text();
    return Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  };
  /** Entity representations fetched from organisations (not found in the cache) by one query. */
  const fetched = async () => {
    const before = await counter('gateway_entity_cache_misses_total');
    expect((await caller.query(q)).body.errors).toBeUndefined();
    return (await counter('gateway_entity_cache_misses_total')) - before;
  };
  expect(await fetched()).toBe(1); // the province fetched, and kept
  expect(await fetched()).toBe(0); // from the cache

  const organisations = readFileSync(schemaFile('organisations.graphql'), 'utf8');
  const extended = `${organisations}\nextend type Query {\n  cacheReloadProbe: String @access(class: "operational", scopes: [["org:read"]])\n}\n`;
  const composed = composeRoverConfig(join(ROOT, 'rover.yaml'), { organisations: extended });
  const applied = changeWhere((st) => st.hash === hashOf(composed.supergraphSdl!));
  await replaceAtomically(composed.supergraphSdl!);
  await applied;
  expect(await fetched()).toBe(1); // fetched again under the new supergraph
});
