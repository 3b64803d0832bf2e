import { testCitizenRef } from '../factories/citizens';
import { insertMovement } from '../factories/movement';
import { countStatements } from '../statement-counter';
import { startStack, type Stack } from '../stack';
import { OFFICIAL } from './helpers';

/*
 * Every list-to-detail hop of the movement subgraph goes through per-request loaders: the SQL
 * statements one request sends to the movement database do not grow with the number of
 * declarations it returns. Counted, never timed.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.stop();
});

const QUERY = `query($code: ID!, $from: DateTime!, $to: DateTime!) {
  inboundMovements(destinationUnitCode: $code, from: $from, to: $to, first: 25) {
    edges { node {
      id status
      statusHistory { from to by at }
      citizen { ref movements { id statusHistory { to } } }
      companions { ref movements { id status } }
      originProvince { code name }
    } }
  }
}`;

/**
 * `n` declarations into a district of their own, each by a different person with two companions
 * and a decision (two history entries each).
 */
async function seedDistrict(district: string, n: number, firstPerson: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const person = firstPerson + 3 * i;
    await insertMovement(stack.db.movement, {
      citizenRef: testCitizenRef(person),
      companionRefs: [testCitizenRef(person + 1), testCitizenRef(person + 2)],
      destinationDistrictCode: district,
      destinationWardCode: null,
      departAt: new Date(Date.UTC(2022, 0, 10, i)),
      arriveAt: null,
      status: i % 2 ? 'APPROVED' : 'REJECTED',
    });
  }
}

async function statementsFor(district: string, expected: number): Promise<string[]> {
  const counter = countStatements(stack.db.movement);
  try {
    const res = await stack.as(OFFICIAL).query<{ inboundMovements: { edges: unknown[] } }>(QUERY, {
      code: district,
      from: '2022-01-01T00:00:00Z',
      to: '2022-02-01T00:00:00Z',
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.inboundMovements.edges).toHaveLength(expected);
    return [...counter.statements];
  } finally {
    counter.restore();
  }
}

test('statements per request do not grow with the declarations returned (2 vs 20)', async () => {
  await seedDistrict('761', 2, 1000);
  await seedDistrict('762', 20, 2000);

  const few = await statementsFor('761', 2);
  const many = await statementsFor('762', 20);
  expect(many).toHaveLength(few.length);
  // The page, the histories, the citizens' movements and their histories: each one batch.
  expect(few.length).toBeLessThanOrEqual(5);
});
