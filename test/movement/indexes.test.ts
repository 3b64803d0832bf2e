import type { QueryRunner } from 'typeorm';
import { testCitizenRef } from '../factories/citizens';
import { insertMovement } from '../factories/movement';
import { servingDataSourceOf } from '../databases';
import { useSubgraph } from '../subgraph-client';

/*
 * Indexes fit the query shapes: each read the subgraph sends is planned with an index of its own
 * shape. The statements are captured as the subgraph sends them (SQL and parameters), then
 * explained with sequential scans disabled, so only a usable index can serve them.
 */

const sg = useSubgraph('movement');
// National, with a declared purpose (bulk and person-centric reads need one).
const READER = { scopes: ['movement:read', 'pii:read'], purpose: 'contact tracing' };

interface Sent {
  sql: string;
  params: unknown[];
}

/** Runs `op` and returns the SELECT statements the subgraph sent meanwhile. */
async function captured(op: () => Promise<unknown>): Promise<Sent[]> {
  // The owner's connection and the server's own (the application role): wherever statements go.
  const sent: Sent[] = [];
  const spies = [...new Set([sg.dataSource, servingDataSourceOf(sg.dataSource)])].map((ds) => {
    const original = ds.createQueryRunner.bind(ds);
    return jest.spyOn(ds, 'createQueryRunner').mockImplementation((mode?: 'master' | 'slave'): QueryRunner => {
      const runner = original(mode);
      const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
      runner.query = ((...args: unknown[]) => {
        sent.push({ sql: String(args[0]), params: (args[1] as unknown[] | undefined) ?? [] });
        return query(...args);
      }) as QueryRunner['query'];
      return runner;
    });
  });
  try {
    await op();
  } finally {
    spies.forEach((spy) => spy.mockRestore());
  }
  return sent.filter((s) => /^\s*SELECT/i.test(s.sql));
}

/** The index names in the plan of a statement, with sequential scans off. */
async function indexesUsed({ sql, params }: Sent): Promise<string[]> {
  return sg.dataSource.transaction(async (m) => {
    await m.query('SET LOCAL enable_seqscan = off');
    const [row] = (await m.query(`EXPLAIN (FORMAT JSON) ${sql}`, params)) as { 'QUERY PLAN': unknown }[];
    return [...JSON.stringify(row!['QUERY PLAN']).matchAll(/"Index Name":"([^"]+)"/g)].map((x) => x[1]!);
  });
}

async function plannedIndexes(query: string, variables: Record<string, unknown>): Promise<string[][]> {
  const sent = await captured(async () => {
    const res = await sg.query(query, { principal: READER, variables });
    expect(res.body.errors).toBeUndefined();
  });
  expect(sent.length).toBeGreaterThan(0);
  return Promise.all(sent.map(indexesUsed));
}

beforeAll(async () => {
  await insertMovement(sg.dataSource, { companionRefs: [testCitizenRef(9001)] });
});

const FROM = '2021-01-01T00:00:00Z';
const LIST = (field: string, arg: string) =>
  `query($code: ID!, $from: DateTime) { ${field}(${arg}: $code, from: $from) { edges { node { id } } } }`;

test.each([
  ['inboundMovements', 'destinationUnitCode', '79', 'ix_movement_declaration_destination_depart'],
  ['inboundMovements', 'destinationUnitCode', '760', 'ix_movement_declaration_destination_district_depart'],
  ['inboundMovements', 'destinationUnitCode', '26740', 'ix_movement_declaration_destination_ward_depart'],
  ['outboundMovements', 'originUnitCode', '01', 'ix_movement_declaration_origin_depart'],
  ['outboundMovements', 'originUnitCode', '001', 'ix_movement_declaration_origin_district_depart'],
  ['outboundMovements', 'originUnitCode', '00001', 'ix_movement_declaration_origin_ward_depart'],
])('%s by %s %s uses %s', async (field, arg, code, index) => {
  expect(await plannedIndexes(LIST(field, arg), { code, from: FROM })).toEqual([[index]]);
});

test('passengersOnConveyance uses the conveyance + departure index', async () => {
  const planned = await plannedIndexes(
    `query { passengersOnConveyance(conveyanceId: "VN201", date: "2021-09-02") { id } }`,
    {},
  );
  expect(planned).toEqual([['ix_movement_declaration_conveyance_depart']]);
});

test('Citizen.movements uses the person + departure index and the companions index', async () => {
  const planned = await plannedIndexes(
    `query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { movements { id statusHistory { to } } } } }`,
    { r: [{ __typename: 'Citizen', ref: testCitizenRef(9001) }] },
  );
  expect(planned[0]!.sort()).toEqual(['ix_movement_declaration_citizen_depart', 'ix_movement_declaration_companions']);
  expect(planned[1]).toEqual(['ix_movement_status_change_movement']);
});
