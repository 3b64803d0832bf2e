import { testCitizenRef } from '../factories/citizens';
import { insertDeclaration, insertMonitoringPeriod } from '../factories/declarations';
import { testInstant } from '../factories/sequence';
import { startStack, type Stack } from '../stack';
import { countStatements } from '../statement-counter';
import { ok } from './helpers';

/*
 * The number of SQL statements a request makes must not grow with the number of items it returns:
 * every entity reference and list-to-detail hop goes through a per-request DataLoader. Counted
 * through the gateway on the declarations subgraph's DataSource; counts, never timings.
 */

let stack: Stack;
const WARD = '26737'; // Phường Đa Kao, Quận 1
beforeAll(async () => {
  stack = await startStack();
  const ds = stack.db.declarations;
  for (let i = 0; i < 20; i++) {
    const ref = testCitizenRef(700 + i);
    const unit = { provinceCode: '79', districtCode: '760', wardCode: WARD };
    // Every item has two versions, a monitoring period it opened, and entry details.
    const v1 = await insertDeclaration(ds, {
      ...unit,
      citizenRef: ref,
      kind: 'ENTRY',
      submittedAt: testInstant(100 + i),
      supersededAt: testInstant(200),
    });
    await insertDeclaration(ds, {
      ...unit,
      id: v1.id,
      version: 2,
      citizenRef: ref,
      kind: 'ENTRY',
      submittedAt: v1.submittedAt,
      amendmentReason: 'corrected',
      symptoms: ['COUGH'],
      entry: { arrivalDate: '2021-09-05', departureCountry: 'KR', portOfEntry: null, quarantineFacility: null },
    });
    await insertMonitoringPeriod(ds, { citizenRef: ref, provinceCode: '79', sourceDeclarationId: v1.id });
  }
});
afterAll(async () => {
  await stack.stop();
});

const QUERY = `query($ward: ID!, $first: Int!) {
  declarations(filter: { unitCode: $ward }, first: $first) {
    edges { node {
      id version kind symptoms exposures { question } entry { arrivalDate departureCountry }
      province { code } ward { code }
      identity { fullName yearOfBirth phone document { type number country } contactAddress { detail ward { code } } }
      citizen {
        ref
        identity { fullName document { number } }
        declarations { id version }
        monitoringPeriods { startsOn endsOn sourceDeclaration { id version identity { fullName } } }
      }
      history { version amendmentReason identity { phone } }
    } }
    pageInfo { hasNextPage }
  }
}`;

async function statementsFor(first: number): Promise<{ items: number; statements: string[] }> {
  const counter = countStatements(stack.db.declarations);
  try {
    const res = await stack.as('dev-health-79').query<{ declarations: { edges: unknown[] } }>(QUERY, {
      ward: WARD,
      first,
    });
    return { items: ok(res).declarations.edges.length, statements: [...counter.statements] };
  } finally {
    counter.restore();
  }
}

test('a page of 20 declarations with their citizens, identities, histories and periods costs what a page of 2 does', async () => {
  const small = await statementsFor(2);
  const large = await statementsFor(20);
  expect(small.items).toBe(2);
  expect(large.items).toBe(20);
  expect(large.statements.length).toBe(small.statements.length);
  // The list, then one batch per loader and depth: snapshots, citizens, latest snapshots, the citizens'
  // declarations, their periods, histories, the periods' declarations and (one level deeper) their
  // snapshots.
  expect(small.statements.length).toBeLessThanOrEqual(9);
});
