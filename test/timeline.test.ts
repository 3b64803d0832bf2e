import { insertCheckpoint, insertPassage } from './factories/checkpoints';
import { insertDeclaration, submitInput } from './factories/declarations';
import { testCitizenRef } from './factories/citizens';
import { declarationInput, DECLARE, type Declared } from './movement/helpers';
import { demoInstant } from '../subgraphs/kit/demo';
import { startStack, type Stack } from './stack';

/*
 * The flagship federated read (DESIGN §4): a citizen's last 14 days — identity, declarations,
 * movements and checkpoint passages — each with its localities and checkpoint names resolved
 * across subgraphs, in one query through the gateway.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.stop();
});

const PERSON = 7001;
const daysAgo = (d: number, hour = 9) => demoInstant(d, hour);

const TIMELINE = `query Timeline($ref: ID!, $since: DateTime!) {
  citizen(ref: $ref) {
    ref
    identity { fullName yearOfBirth }
    declarations(since: $since) { kind submittedAt province { code name } }
    movements(since: $since) {
      mode conveyanceId status
      originProvince { name } destinationProvince { name }
      passages { direction checkpoint { name } }
    }
    passages(since: $since) {
      direction decision
      checkpoint { name province { name } }
      movementDeclaration { conveyanceId }
    }
  }
}`;

interface Timeline {
  citizen: {
    ref: string;
    identity: { fullName: string; yearOfBirth: number };
    declarations: { kind: string; submittedAt: string; province: { code: string; name: string } }[];
    movements: {
      mode: string;
      conveyanceId: string;
      status: string;
      originProvince: { name: string };
      destinationProvince: { name: string };
      passages: { direction: string; checkpoint: { name: string } }[];
    }[];
    passages: {
      direction: string;
      decision: string;
      checkpoint: { name: string; province: { name: string } };
      movementDeclaration: { conveyanceId: string } | null;
    }[];
  } | null;
}

test("a citizen's last 14 days across four subgraphs, with units and checkpoint names resolved", async () => {
  const ref = testCitizenRef(PERSON);
  // Written through the gateway as the apps and officials would.
  const submitted = await stack
    .as('dev-health-01')
    .query(`mutation($input: SubmitDeclarationInput!) { submitDeclaration(input: $input) { id } }`, {
      input: submitInput(PERSON, {
        submittedAt: daysAgo(2).toISOString(),
        responsibleUnit: { provinceCode: '01' },
      }),
    });
  expect(submitted.body.errors).toBeUndefined();
  const declared = await stack.as('dev-consumer-79').query<Declared>(DECLARE, {
    input: declarationInput(PERSON, {
      departAt: daysAgo(5, 8).toISOString(),
      arriveAt: daysAgo(5, 10).toISOString(),
      origin: { provinceCode: '01' },
      destination: { provinceCode: '79' },
    }),
    key: 'timeline-movement-1',
  });
  expect(declared.body.errors).toBeUndefined();
  const movementId = declared.body.data!.declareMovement.id;
  // A scan at the airport that verified the journey, and one older than the window.
  const airport = await insertCheckpoint(stack.db.checkpoints, {
    name: 'Sân bay Nội Bài',
    kind: 'AIRPORT',
    provinceCode: '01',
    districtCode: null,
    wardCode: null,
  });
  await insertPassage(stack.db.checkpoints, {
    checkpointId: airport.id,
    citizenRef: ref,
    scannedAt: daysAgo(5, 7),
    direction: 'OUT',
    movementDeclarationId: movementId,
  });
  await insertPassage(stack.db.checkpoints, {
    checkpointId: airport.id,
    citizenRef: ref,
    scannedAt: daysAgo(20, 7),
    direction: 'IN',
  });
  await insertDeclaration(stack.db.declarations, { citizenRef: ref, submittedAt: daysAgo(20) });

  const res = await stack
    .as('dev-health-01', { purpose: 'contact tracing, case 2026-0142' })
    .query<Timeline>(TIMELINE, { ref, since: daysAgo(14, 0).toISOString() });
  expect(res.status).toBe(200);
  expect(res.body.errors).toBeUndefined();
  expect(res.body.data!.citizen).toEqual({
    ref,
    identity: { fullName: `Nguyễn Văn Thử ${PERSON}`, yearOfBirth: 1999 },
    declarations: [
      { kind: 'UNIVERSAL', submittedAt: daysAgo(2).toISOString(), province: { code: '01', name: 'Thành phố Hà Nội' } },
    ],
    movements: [
      {
        mode: 'PLANE',
        conveyanceId: 'VN213',
        status: 'EXPIRED', // valid until a day after arrival, read as expired since
        originProvince: { name: 'Thành phố Hà Nội' },
        destinationProvince: { name: 'Thành phố Hồ Chí Minh' },
        passages: [{ direction: 'OUT', checkpoint: { name: 'Sân bay Nội Bài' } }],
      },
    ],
    passages: [
      {
        direction: 'OUT',
        decision: 'ALLOWED',
        checkpoint: { name: 'Sân bay Nội Bài', province: { name: 'Thành phố Hà Nội' } },
        movementDeclaration: { conveyanceId: 'VN213' },
      },
    ],
  });
});

test('the timeline of an unknown citizen is null, not an error', async () => {
  const res = await stack
    .as('dev-health-01', { purpose: 'contact tracing' })
    .query<Timeline>(TIMELINE, { ref: testCitizenRef(7999), since: daysAgo(14, 0).toISOString() });
  expect(res.body.errors).toBeUndefined();
  expect(res.body.data).toEqual({ citizen: null });
});
