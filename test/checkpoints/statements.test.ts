import { insertCheckpoint, insertOperatorAssignment, insertPassage, testOperatorId } from '../factories/checkpoints';
import { testCitizenRef } from '../factories/citizens';
import { Sequence } from '../factories/sequence';
import { countStatements } from '../statement-counter';
import { startStack, type Stack } from '../stack';
import { ago, DAY, HOUR } from './helpers';

/*
 * The proof that the per-request loaders batch: a page of 5 passages and a page of 50, each with
 * its checkpoint, operators, citizen (and that citizen's other passages, fetched back from this
 * subgraph by the gateway) and movement declaration, cost the checkpoints database the same number
 * of statements. Counted, never timed.
 */

// Checkpoints in province 01, the jurisdiction of dev-health-01; bulk and person-centric reads
// declare a purpose.
let stack: Stack;
/** The statements of this subgraph's reads, without the audit trail's record of them. */
const reads = (statements: readonly string[]) => statements.filter((s) => !/^\s*INSERT INTO audit_record/.test(s));
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.stop();
});

const movements = new Sequence('c00000ee');

const PAGE = `query($id: ID!, $first: Int, $since: DateTime) {
  passages(checkpointId: $id, first: $first) {
    edges { node {
      id direction scannedAt decision vehiclePlate operator { id }
      checkpoint { id name status operators { id } operatorAssignments { assignedAt } }
      movementDeclaration { id passages { id } }
      citizen { ref passages(since: $since) { id checkpoint { name } } }
    } }
  }
}`;

test('a page of 5 and a page of 50 passages with nested fields make the same number of statements', async () => {
  const ds = stack.db.checkpoints;
  const gateways = [
    await insertCheckpoint(ds, { provinceCode: '01', districtCode: null, wardCode: null }),
    await insertCheckpoint(ds, { provinceCode: '01', districtCode: null, wardCode: null }),
  ];
  const main = gateways[0]!;
  for (const [i, cp] of gateways.entries()) {
    await insertOperatorAssignment(ds, { checkpointId: cp.id, userId: testOperatorId(10 + i) });
  }
  for (let i = 0; i < 60; i++) {
    const citizenRef = testCitizenRef(700 + i);
    await insertPassage(ds, {
      checkpointId: main.id,
      citizenRef,
      scannedAt: ago(2 * DAY - i * 10),
      movementDeclarationId: movements.uuid(movements.next()),
      operatorUserId: testOperatorId(10),
      vehiclePlate: `43A-${100 + i}.00`,
    });
    // Each person also passed the other checkpoint: Citizen.passages reaches a second checkpoint.
    await insertPassage(ds, { checkpointId: gateways[1]!.id, citizenRef, scannedAt: ago(DAY + i) });
  }

  const counter = countStatements(stack.appDb.checkpoints);
  try {
    const statementsFor = async (first: number): Promise<string[]> => {
      counter.reset();
      const res = await stack
        .as('dev-health-01', { purpose: 'contact tracing' })
        .query<{ passages: { edges: unknown[] } }>(PAGE, {
          id: main.id,
          first,
          since: ago(3 * DAY),
        });
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data!.passages.edges).toHaveLength(first);
      return reads(counter.statements);
    };
    const five = await statementsFor(5);
    const fifty = await statementsFor(50);
    expect(fifty).toHaveLength(five.length);
    // The page; one statement per loader (checkpoints, assignments, passages by movement, passages
    // by citizen); and a second checkpoint batch for the citizens' other passages — whatever the
    // page size.
    expect(five).toHaveLength(6);
  } finally {
    counter.restore();
  }
});

test('coPresence with 39 contacts, their checkpoints and the nearest own passages is three statements', async () => {
  const ds = stack.db.checkpoints;
  const cp = await insertCheckpoint(ds, { provinceCode: '01', districtCode: null, wardCode: null });
  const refs: string[] = [];
  for (let i = 0; i < 40; i++) {
    refs.push((await insertPassage(ds, { checkpointId: cp.id, scannedAt: ago(HOUR + i) })).citizenRef);
  }
  const counter = countStatements(stack.appDb.checkpoints);
  try {
    const res = await stack
      .as('dev-health-01', { purpose: 'contact tracing' })
      .query<{ coPresence: { contacts: unknown[] } }>(
        `query($id: ID!, $ref: ID!) { coPresence(checkpointId: $id, citizenRef: $ref, windowMinutes: 60) {
        contacts { passage { checkpoint { name } } near { id checkpoint { name } } }
      } }`,
        { id: cp.id, ref: refs[0] },
      );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.coPresence.contacts).toHaveLength(39);
    expect(reads(counter.statements)).toHaveLength(3); // coPresence, near passages, checkpoints
  } finally {
    counter.restore();
  }
});
