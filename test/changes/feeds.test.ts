import type { SubgraphName } from '../../subgraphs/kit/module';
import { insertMovement } from '../factories/movement';
import { UNITS } from '../factories/sequence';
import { startStack, type GraphQLResponse, type Stack } from '../stack';

/**
 * The change feeds of declarations, movement and feedback through the gateway (the checkpoints feed
 * and the commit-order cases are in outbox.test.ts): each returns exactly the subgraph's events in
 * the caller's jurisdiction, with payloads under the graph's field rules and masking.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ demo: true });
});
afterAll(async () => {
  await stack?.stop();
});

const PURPOSE = { purpose: 'change-feed' };

interface Page<E> {
  events: E[];
  endCursor: string;
  hasMore: boolean;
}

async function drain<E>(subject: string, field: string, selection: string, first = 50): Promise<E[]> {
  const out: E[] = [];
  let after: string | null = null;
  for (let i = 0; i < 500; i += 1) {
    const res: GraphQLResponse<Record<string, Page<E>>> = await stack
      .as(subject, PURPOSE)
      .query<Record<string, Page<E>>>(
        `query ($after: String, $first: Int) { ${field}(after: $after, first: $first) { events { ${selection} } endCursor hasMore } }`,
        { after, first },
      );
    expect(res.body.errors).toBeUndefined();
    const page: Page<E> = res.body.data![field]!;
    out.push(...page.events);
    after = page.endCursor;
    if (!page.hasMore) return out;
  }
  throw new Error('feed did not end');
}

const outbox = async (name: SubgraphName) =>
  (await stack.db[name].query(
    `SELECT id, entity_type, unit_codes FROM outbox_event ORDER BY outbox_event.position`,
  )) as { id: string; entity_type: string; unit_codes: string[] }[];

describe('movement feed', () => {
  type E = { id: string; unitCodes: string[]; entity: { id: string; destinationProvince: { code: string } } | null };
  const SEL = 'id unitCodes entity { ... on MovementDeclaration { id destinationProvince { code } } }';

  test("a province-79 official receives 79's journeys and nothing of province 01 alone", async () => {
    // the demo journeys all link 01 and 79: add one inside Hà Nội
    await insertMovement(stack.db.movement, {
      destinationProvinceCode: UNITS.haNoi.province,
      destinationDistrictCode: UNITS.haNoi.district,
      destinationWardCode: UNITS.haNoi.ward,
      transitUnitCodes: [],
    });
    const all = await outbox('movement');
    const feed = await drain<E>('dev-health-79', 'movementChanges', SEL, 7);
    expect(feed.map((e) => e.id)).toEqual(all.filter((e) => e.unit_codes.includes('79')).map((e) => e.id));
    expect(feed.length).toBeGreaterThan(0);
    expect(feed.every((e) => e.unitCodes.includes('79'))).toBe(true);
    // the province-01 official's feed has journeys 79 never sees
    const hanoi = await drain<E>('dev-health-01', 'movementChanges', SEL);
    const only01 = hanoi.filter((e) => !e.unitCodes.includes('79'));
    expect(only01.length).toBeGreaterThan(0);
    expect(feed.some((e) => only01.some((o) => o.id === e.id))).toBe(false);
    // payloads: the journey as the graph shows it to this caller
    expect(feed.some((e) => e.entity !== null)).toBe(true);
    expect(feed.filter((e) => e.entity).every((e) => typeof e.entity!.destinationProvince.code === 'string')).toBe(
      true,
    );
  });
});

describe('declarations feed', () => {
  type E = {
    id: string;
    entityType: string;
    entity: { identity?: { phone: string | null; document: { number: string } | null } } | null;
  };
  const SEL = `id entityType entity {
    ... on HealthDeclaration { id identity { phone document { number } } }
    ... on Citizen { ref }
  }`;

  test('every event once; a caller without pii:read gets masked identity values, one with it the clear ones', async () => {
    const all = await outbox('declarations');
    const masked = await drain<E>('dev-dpo', 'declarationChanges', SEL, 40);
    expect(masked.map((e) => e.id)).toEqual(all.map((e) => e.id));
    const numbers = masked.flatMap((e) => (e.entity?.identity?.document ? [e.entity.identity.document.number] : []));
    expect(numbers.length).toBeGreaterThan(0);
    expect(numbers.every((n) => /\*{4,}/.test(n))).toBe(true);

    const clear = await drain<E>('dev-health-01', 'declarationChanges', SEL, 40);
    const clearNumbers = clear.flatMap((e) =>
      e.entity?.identity?.document ? [e.entity.identity.document.number] : [],
    );
    expect(clearNumbers.length).toBeGreaterThan(0);
    expect(clearNumbers.every((n) => /^\d{12}$/.test(n) || /^[A-Z0-9]{6,12}$/.test(n))).toBe(true);
  });

  test('the payload reads are audited like any other read', async () => {
    const before = (await stack.db.declarations.query(
      `SELECT count(*)::int AS n FROM audit_record WHERE purpose = 'change-feed' AND actor = 'dev-health-79'`,
    )) as { n: number }[];
    await drain<E>('dev-health-79', 'declarationChanges', SEL, 40);
    const after = (await stack.db.declarations.query(
      `SELECT count(*)::int AS n FROM audit_record WHERE purpose = 'change-feed' AND actor = 'dev-health-79'`,
    )) as { n: number }[];
    expect(after[0]!.n).toBeGreaterThan(before[0]!.n);
  });
});

describe('feedback feed', () => {
  type E = { id: string; entity: { id: string; status: string } | null };
  test('the hotline operator of province 01 gets 01 feedback events with their records', async () => {
    const all = await outbox('feedback');
    const feed = await drain<E>('dev-hotline-01', 'feedbackChanges', 'id entity { ... on Feedback { id status } }', 9);
    const expected = all.filter((e) => e.unit_codes.includes('01'));
    expect(feed.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    expect(feed.every((e) => e.entity !== null)).toBe(true);
  });

  test('an analyst (no feedback:read) is refused', async () => {
    const res = await stack.as('dev-analyst', PURPOSE).query(`{ feedbackChanges { endCursor } }`);
    expect(res.body.data).toBeNull();
    expect(res.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });
});
