import { startStack, type GraphQLResponse, type Stack } from '../stack';

/**
 * The organisations change feed (`organisationChanges`) through the gateway, and what the feed
 * consumers' roles receive: every event once in the caller's jurisdiction, payloads under the
 * graph's field rules (a consumer's secrets never among them), masked for a `data_consumer`.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ demo: true });
});
afterAll(async () => {
  await stack?.stop();
});

const ADMIN = 'dev-centre-admin';
const PURPOSE = { purpose: 'change-feed' };
const SEL = `id entityType entityId kind unitCodes at details entity {
  __typename
  ... on Organisation { key: code name }
  ... on User { key: id subject }
  ... on RoleGrant { key: id grantRole: role }
  ... on CentreMembership { key: id memberRole: role }
  ... on AdministrativeUnit { key: code name }
  ... on UnitListVersion { key: name }
  ... on ChangeConsumer { key: id name webhookUrl hasSigningSecret }
}`;

interface FeedEvent {
  id: string;
  entityType: string;
  entityId: string;
  kind: string;
  unitCodes: string[];
  entity: Record<string, unknown> | null;
}
interface Page {
  organisationChanges: { events: FeedEvent[]; endCursor: string; hasMore: boolean };
}

async function drain(subject: string, first: number, types?: string[], selection = SEL) {
  const out: FeedEvent[] = [];
  const raw: string[] = [];
  let after: string | null = null;
  for (let i = 0; i < 1000; i += 1) {
    const res: GraphQLResponse<Page> = await stack.as(subject, PURPOSE).query<Page>(
      `query($after: String, $first: Int, $types: [String!]) {
          organisationChanges(after: $after, first: $first, entityTypes: $types) { events { ${selection} } endCursor hasMore }
        }`,
      { after, first, types },
    );
    expect(res.body.errors).toBeUndefined();
    raw.push(JSON.stringify(res.body));
    const page = res.body.data!.organisationChanges;
    out.push(...page.events);
    after = page.endCursor;
    if (!page.hasMore) return { events: out, raw: raw.join('\n') };
  }
  throw new Error('feed did not end');
}

const outbox = async () =>
  (await stack.db.organisations.query(
    `SELECT id, entity_type, entity_id, unit_codes FROM outbox_event ORDER BY outbox_event.position`,
  )) as { id: string; entity_type: string; entity_id: string; unit_codes: string[] }[];

async function newConsumerClient(subject: string, role: string): Promise<string> {
  const user = await stack
    .as(ADMIN)
    .query<{ registerUser: { id: string } }>(
      `mutation($s: String!) { registerUser(input: { subject: $s, kind: SERVICE, displayName: "Feed client" }) { id } }`,
      { s: subject },
    );
  const id = user.body.data!.registerUser.id;
  const grant = await stack
    .as(ADMIN)
    .query(`mutation($u: ID!, $r: RoleName!) { grantRole(input: { userId: $u, role: $r }) { id } }`, {
      u: id,
      r: role,
    });
  expect(grant.body.errors).toBeUndefined();
  return id;
}

test('a national reader pages every event once, in order, each with its record', async () => {
  const clientId = await newConsumerClient('svc-feed-1', 'DATA_CONSUMER');
  const reg = await stack.as(ADMIN).query<{ registerChangeConsumer: { signingSecret: string } }>(
    `mutation($c: ID!) { registerChangeConsumer(input: {
      clientId: $c, name: "Org sync", entityTypes: ["Organisation"], webhookUrl: "https://127.0.0.1:9443/h"
    }) { signingSecret } }`,
    { c: clientId },
  );
  const secret = reg.body.data!.registerChangeConsumer.signingSecret;
  expect(secret).toMatch(/^whsec_/);

  const all = await outbox();
  const { events, raw } = await drain(ADMIN, 17);
  expect(events.map((e) => e.id)).toEqual(all.map((e) => e.id));
  const types = new Set(events.map((e) => e.entityType));
  for (const t of ['Organisation', 'User', 'RoleGrant', 'CentreMembership', 'AdministrativeUnit', 'UnitListVersion']) {
    expect(types).toContain(t);
  }
  // each live record comes as the graph shows it, keyed as the event says
  for (const e of events.filter((x) => x.kind !== 'DELETED')) {
    expect(e.entity).not.toBeNull();
    expect(e.entity!.__typename).toBe(e.entityType);
    expect(e.entity!.key).toBe(e.entityId);
  }
  const consumer = events.find((e) => e.entityType === 'ChangeConsumer')!;
  expect(consumer.entity).toMatchObject({ name: 'Org sync', hasSigningSecret: true });
  expect(raw).not.toContain(secret);
  const [{ secret_ciphertext }] = (await stack.db.organisations.query(
    `SELECT secret_ciphertext FROM change_consumer WHERE id = $1`,
    [consumer.entityId],
  )) as { secret_ciphertext: string }[];
  expect(raw).not.toContain(secret_ciphertext.split(':')[2]);
});

test('entity types filter the feed; unknown ones and forged cursors are bad input', async () => {
  const all = (await outbox()).filter((e) => e.entity_type === 'RoleGrant');
  const { events } = await drain(ADMIN, 50, ['RoleGrant']);
  expect(events.map((e) => e.id)).toEqual(all.map((e) => e.id));
  const bad = await stack.as(ADMIN, PURPOSE).query(`{ organisationChanges(entityTypes: ["Passage"]) { endCursor } }`);
  expect(bad.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'entityTypes' });
  const forged = await stack.as(ADMIN, PURPOSE).query(`{ organisationChanges(after: "x") { endCursor } }`);
  expect(forged.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  const noPurpose = await stack.as(ADMIN).query(`{ organisationChanges { endCursor } }`);
  expect(noPurpose.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'PURPOSE_REQUIRED' });
});

test('a province reader gets only the events of its units', async () => {
  const all = await outbox();
  const { events } = await drain('dev-health-79', 40, undefined, 'id unitCodes');
  const expected = all.filter((e) => e.unit_codes.includes('79'));
  expect(expected.length).toBeGreaterThan(0);
  expect(events.map((e) => e.id)).toEqual(expected.map((e) => e.id));
});

test('payloads follow the field rules: without consumers:read or grants:read those fields are refused', async () => {
  const res = await stack.as('dev-analyst', PURPOSE).query<Page>(
    `{ organisationChanges(first: 200, entityTypes: ["ChangeConsumer", "User"]) { events { entityType entity {
        ... on ChangeConsumer { name webhookUrl } ... on User { subject } } } } }`,
  );
  expect(res.body.errors?.length).toBeGreaterThan(0);
  expect(res.body.errors!.every((e) => e.extensions?.code === 'FORBIDDEN')).toBe(true);
  const text = JSON.stringify(res.body.data);
  expect(text).not.toContain('Org sync');
  expect(text).not.toContain('dev-centre-admin');
});

test('a data_consumer client reads feeds with masked personal fields; data_consumer_personal in clear', async () => {
  await newConsumerClient('svc-masked', 'DATA_CONSUMER');
  await newConsumerClient('svc-personal', 'DATA_CONSUMER_PERSONAL');
  const read = (subject: string) =>
    stack.as(subject, PURPOSE).query<{
      declarationChanges: { events: { entity: { identity?: { document: { number: string } | null } } | null }[] };
    }>(
      `{ declarationChanges(first: 200, entityTypes: ["HealthDeclaration"]) { events { entity {
          ... on HealthDeclaration { identity { document { number } } } } } } }`,
    );
  const numbers = async (subject: string) => {
    const res = await read(subject);
    expect(res.body.errors).toBeUndefined();
    return res.body.data!.declarationChanges.events.flatMap((e) =>
      e.entity?.identity?.document ? [e.entity.identity.document.number] : [],
    );
  };
  const masked = await numbers('svc-masked');
  expect(masked.length).toBeGreaterThan(0);
  expect(masked.every((n) => /\*{4,}/.test(n))).toBe(true);
  const clear = await numbers('svc-personal');
  expect(clear.length).toBe(masked.length);
  expect(clear.some((n) => !n.includes('*'))).toBe(true);
});
