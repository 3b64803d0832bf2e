import { calendarDay } from '../../subgraphs/kit/admin-units/dates';
import { DEMO_PEOPLE } from '../../subgraphs/kit/demo';
import { citizenRef } from '../../subgraphs/kit/pseudonym';
import { TEST_PSEUDONYM_KEY } from '../factories/citizens';
import { startStack, type Stack } from '../stack';
import { OFFICIAL } from './helpers';

/*
 * The README's example queries return the demo data (the stack seeds the development demo set, as
 * `npm start` does, with the test pseudonymisation key).
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ demo: true });
});
afterAll(async () => {
  await stack.stop();
});

const ref = (person: number) =>
  citizenRef({ type: 'CCCD', number: DEMO_PEOPLE[person - 1]!.documentNumber }, TEST_PSEUDONYM_KEY);

test('README: arrivals into Hồ Chí Minh City over the last 14 days', async () => {
  const res = await stack.as(OFFICIAL).query<{
    inboundMovements: { edges: { node: { mode: string; conveyanceId: string; status: string } }[] };
  }>(`{
    inboundMovements(destinationUnitCode: "79", first: 10) {
      edges { node { id mode conveyanceId departAt status citizen { ref } companions { ref } originProvince { name } } }
      pageInfo { hasNextPage endCursor }
    }
  }`);
  expect(res.body.errors).toBeUndefined();
  expect(res.body.data!.inboundMovements.edges.map((e) => [e.node.conveyanceId, e.node.status])).toEqual([
    ['VN201', 'APPROVED'],
    ['VN201', 'DECLARED'],
    ['29B-123.45', 'EXPIRED'],
    ['VN215', 'REJECTED'],
    ['VN220', 'DECLARED'],
  ]);
});

test('README: everyone on demo flight VN201 on its day, companions included', async () => {
  const [flight] = (await stack.db.movement.query(
    `SELECT depart_at FROM movement_declaration WHERE conveyance_id = 'VN201' LIMIT 1`,
  )) as { depart_at: Date }[];
  // A bulk search by conveyance declares a purpose (x-purpose).
  const res = await stack.as(OFFICIAL, { purpose: 'contact tracing' }).query<{
    passengersOnConveyance: { seat: string; citizen: { ref: string }; companions: { ref: string }[] }[];
  }>(
    `query($day: Date!) {
      passengersOnConveyance(conveyanceId: "vn 201", date: $day) { seat status citizen { ref } companions { ref } }
    }`,
    { day: calendarDay(flight!.depart_at) },
  );
  expect(res.body.errors).toBeUndefined();
  expect(res.body.data!.passengersOnConveyance).toEqual([
    { seat: '12A', status: 'APPROVED', citizen: { ref: ref(1) }, companions: [{ ref: ref(2) }] },
    { seat: '14C', status: 'DECLARED', citizen: { ref: ref(8) }, companions: [{ ref: ref(9) }] },
  ]);
});
