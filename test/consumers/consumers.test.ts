import { decryptSecret } from '../../subgraphs/kit/secrets';
import { startStack, TEST_SECRET_KEY_RING, type GraphQLResponse, type Stack } from '../stack';

/**
 * Consumers of the change feeds (DESIGN §6), through the gateway: a centre admin registers a
 * service client as a consumer; the webhook's signing secret is shown once, stored only encrypted
 * (bound to the consumer's id) and never readable again; webhook URLs pass the SSRF rule (the test
 * stack allow-lists loopback); secrets rotate with an overlap; dead-lettered deliveries are put
 * back to work; each delivery's position and lag can be read.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const ADMIN = 'dev-centre-admin';
const CONSUMER_FIELDS = `id name client { subject kind } organisation { code } entityTypes webhookUrl hasSigningSecret
  secretCreatedAt previousSecretExpiresAt active createdBy createdAt updatedAt
  deliveries { feed state cursorSet failures lastError lastAttemptAt lastDeliveredAt deliveredEvents nextAttemptAt
    deadLetteredAt lagSeconds }`;
const REGISTER = `mutation($input: RegisterChangeConsumerInput!) {
  registerChangeConsumer(input: $input) { signingSecret consumer { ${CONSUMER_FIELDS} } }
}`;
const UPDATE = `mutation($id: ID!, $input: UpdateChangeConsumerInput!) {
  updateChangeConsumer(id: $id, input: $input) { signingSecret consumer { ${CONSUMER_FIELDS} } }
}`;
const ROTATE = `mutation($id: ID!, $overlap: Int) {
  rotateChangeConsumerSecret(id: $id, overlapMinutes: $overlap) { signingSecret consumer { ${CONSUMER_FIELDS} } }
}`;
const REDELIVER = `mutation($id: ID!, $feed: String!) {
  redeliverChangeConsumer(id: $id, feed: $feed) { feed state failures nextAttemptAt lastError lagSeconds }
}`;

interface Consumer {
  id: string;
  name: string;
  webhookUrl: string | null;
  hasSigningSecret: boolean;
  secretCreatedAt: string | null;
  previousSecretExpiresAt: string | null;
  active: boolean;
  entityTypes: string[];
  deliveries: Record<string, unknown>[];
}
interface Result {
  signingSecret: string | null;
  consumer: Consumer;
}

let clients = 0;
/** A new service client (a User of kind SERVICE) with a data_consumer grant, as an admin makes one. */
async function newClient(): Promise<{ id: string; subject: string }> {
  clients += 1;
  const subject = `svc-consumer-${clients}`;
  const user = await stack
    .as(ADMIN)
    .query<{ registerUser: { id: string } }>(
      `mutation($s: String!) { registerUser(input: { subject: $s, kind: SERVICE, displayName: "Feed client", organisationCode: "MOH-DIT" }) { id } }`,
      { s: subject },
    );
  expect(user.body.errors).toBeUndefined();
  const id = user.body.data!.registerUser.id;
  const grant = await stack
    .as(ADMIN)
    .query(`mutation($u: ID!) { grantRole(input: { userId: $u, role: DATA_CONSUMER }) { id } }`, { u: id });
  expect(grant.body.errors).toBeUndefined();
  return { id, subject };
}

async function register(
  input: Record<string, unknown>,
  subject = ADMIN,
): Promise<GraphQLResponse<{ registerChangeConsumer: Result }>> {
  return stack.as(subject).query<{ registerChangeConsumer: Result }>(REGISTER, { input });
}

async function registered(input: Record<string, unknown> = {}): Promise<Result> {
  const client = await newClient();
  const res = await register({ clientId: client.id, name: 'Provincial dashboard', entityTypes: ['Passage'], ...input });
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.registerChangeConsumer;
}

const stored = async (id: string) =>
  (
    (await stack.db.organisations.query(
      `SELECT secret_ciphertext, secret_created_at, previous_secret_ciphertext, previous_secret_expires_at
         FROM change_consumer WHERE id = $1`,
      [id],
    )) as {
      secret_ciphertext: string | null;
      secret_created_at: Date | null;
      previous_secret_ciphertext: string | null;
      previous_secret_expires_at: Date | null;
    }[]
  )[0]!;
const countConsumers = async (): Promise<number> =>
  ((await stack.db.organisations.query(`SELECT count(*)::int AS n FROM change_consumer`)) as { n: number }[])[0]!.n;

function expectBadInput(res: GraphQLResponse<unknown>, field: string, rule?: RegExp): void {
  expect(res.body.errors).toHaveLength(1);
  const error = res.body.errors![0]!;
  expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  expect(error.message.startsWith(`${field}: `)).toBe(true);
  if (rule) expect(error.message).toMatch(rule);
}

const LOCAL_HOOK = 'https://127.0.0.1:9443/hooks/epidemic';

describe('registration', () => {
  test('a centre admin registers a consumer; the signing secret is returned once and stored only encrypted', async () => {
    const client = await newClient();
    const res = await register({
      clientId: client.id,
      name: '  Provincial dashboard 79 ',
      entityTypes: ['Passage', 'HealthDeclaration', 'Passage'],
      webhookUrl: LOCAL_HOOK,
    });
    expect(res.body.errors).toBeUndefined();
    const { signingSecret, consumer } = res.body.data!.registerChangeConsumer;
    expect(signingSecret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(consumer).toMatchObject({
      name: 'Provincial dashboard 79',
      client: { subject: client.subject, kind: 'SERVICE' },
      organisation: { code: 'MOH-DIT' },
      entityTypes: ['Passage', 'HealthDeclaration'],
      webhookUrl: LOCAL_HOOK,
      hasSigningSecret: true,
      previousSecretExpiresAt: null,
      active: true,
      createdBy: ADMIN,
      deliveries: [],
    });
    expect(Math.abs(Date.parse(consumer.secretCreatedAt!) - Date.now())).toBeLessThan(60_000);

    // the database holds only the ciphertext: it decrypts with the key ring, bound to this id
    const row = await stored(consumer.id);
    expect(row.secret_ciphertext).not.toContain(signingSecret!);
    expect(row.secret_ciphertext).toMatch(/^test1:[\w-]+:[\w-]+$/);
    expect(decryptSecret(TEST_SECRET_KEY_RING, row.secret_ciphertext!, consumer.id)).toBe(signingSecret);
    const other = (await registered()).consumer.id;
    expect(() => decryptSecret(TEST_SECRET_KEY_RING, row.secret_ciphertext!, other)).toThrow();
    const [{ hits }] = (await stack.db.organisations.query(
      `SELECT count(*)::int AS hits FROM change_consumer c WHERE c::text LIKE '%' || $1 || '%'`,
      [signingSecret],
    )) as { hits: number }[];
    expect(hits).toBe(0);

    // never readable afterwards: every field of the consumer, the list, and the feed
    const fields = await stack
      .as(ADMIN)
      .query<{ __type: { fields: { name: string }[] } }>(`{ __type(name: "ChangeConsumer") { fields { name } } }`);
    const names = fields.body.data!.__type.fields.map((f) => f.name);
    expect(names.filter((n) => /secret/i.test(n)).sort()).toEqual([
      'hasSigningSecret',
      'previousSecretExpiresAt',
      'secretCreatedAt',
    ]);
    const reads = [
      await stack.as(ADMIN).query(`query($id: ID!) { changeConsumer(id: $id) { ${CONSUMER_FIELDS} } }`, {
        id: consumer.id,
      }),
      await stack.as(ADMIN).query(`{ changeConsumers { ${CONSUMER_FIELDS} } }`),
      await stack
        .as(ADMIN, { purpose: 'consumer audit' })
        .query(
          `{ organisationChanges(first: 20, entityTypes: ["ChangeConsumer"]) { events { details entity { ... on ChangeConsumer { ${CONSUMER_FIELDS} } } } } }`,
        ),
    ];
    for (const read of reads) {
      expect(read.body.errors).toBeUndefined();
      const text = JSON.stringify(read.body);
      expect(text).toContain(consumer.id);
      expect(text).not.toContain(signingSecret!);
      expect(text).not.toContain(row.secret_ciphertext!);
      expect(text).not.toContain(row.secret_ciphertext!.split(':')[2]!);
    }
  });

  test('without a webhook there is no secret', async () => {
    const { signingSecret, consumer } = await registered();
    expect(signingSecret).toBeNull();
    expect(consumer).toMatchObject({ webhookUrl: null, hasSigningSecret: false, secretCreatedAt: null });
    expect((await stored(consumer.id)).secret_ciphertext).toBeNull();
  });

  test('bad input names the field and the rule, and writes nothing', async () => {
    const client = await newClient();
    const base = { clientId: client.id, name: 'Dashboard', entityTypes: ['Passage'] };
    const before = await countConsumers();
    expectBadInput(await register({ ...base, name: '   ' }), 'input.name', /must not be empty/);
    expectBadInput(await register({ ...base, name: 'x'.repeat(201) }), 'input.name', /at most 200/);
    expectBadInput(await register({ ...base, entityTypes: [] }), 'input.entityTypes', /at least one/);
    expectBadInput(
      await register({ ...base, entityTypes: ['Passage', 'Secret'] }),
      'input.entityTypes',
      /unknown entity type "Secret"/,
    );
    expectBadInput(await register({ ...base, clientId: 'nope' }), 'input.clientId', /no user/);
    expectBadInput(
      await register({ ...base, clientId: '00000000-0000-4000-8000-000000000000' }),
      'input.clientId',
      /no user/,
    );
    const person = (
      (await stack.db.organisations.query(`SELECT id FROM app_user WHERE subject = 'dev-analyst'`)) as { id: string }[]
    )[0]!.id;
    expectBadInput(await register({ ...base, clientId: person }), 'input.clientId', /service client/);
    expectBadInput(await register({ ...base, webhookUrl: 'not a url' }), 'input.webhookUrl', /absolute URL/);
    expect(await countConsumers()).toBe(before);

    // one consumer per service client
    expect((await register(base)).body.errors).toBeUndefined();
    const again = await register(base);
    expect(again.body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'input.clientId' });
  });

  test('other roles may neither register nor read consumers, and nothing is written', async () => {
    const client = await newClient();
    const before = await countConsumers();
    for (const subject of ['dev-health-01', 'dev-dpo', 'dev-analyst', 'dev-consumer-79', client.subject]) {
      const res = await register(
        { clientId: client.id, name: 'Sneaky', entityTypes: ['Passage'], webhookUrl: LOCAL_HOOK },
        subject,
      );
      expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(res.body.data?.registerChangeConsumer ?? null).toBeNull();
      const list = await stack.as(subject).query(`{ changeConsumers { id } }`);
      expect(list.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const { consumer } = await registered({ webhookUrl: LOCAL_HOOK });
    for (const [query, vars] of [
      [UPDATE, { id: consumer.id, input: { name: 'x' } }],
      [ROTATE, { id: consumer.id }],
      [REDELIVER, { id: consumer.id, feed: 'checkpoints' }],
    ] as const) {
      const res = await stack.as('dev-health-79').query(query, vars);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect(await countConsumers()).toBe(before + 1);
  });

  test('the consumer roles can be granted, and a data_consumer client reads the feeds', async () => {
    const { id, subject } = await newClient();
    const feed = await stack
      .as(subject, { purpose: 'sync' })
      .query<{ checkpointChanges: { events: unknown[] } }>(`{ checkpointChanges(first: 1) { events { id } } }`);
    expect(feed.body.errors).toBeUndefined();
    const grant = await stack
      .as(ADMIN)
      .query<{ grantRole: { role: string } }>(
        `mutation($u: ID!) { grantRole(input: { userId: $u, role: DATA_CONSUMER_PERSONAL, jurisdictionUnitCode: "79" }) { role } }`,
        { u: id },
      );
    expect(grant.body.data?.grantRole.role).toBe('DATA_CONSUMER_PERSONAL');
  });
});

describe('SSRF rule at registration and update (the test stack allow-lists loopback)', () => {
  test.each([
    ['http://93.184.215.14/hooks', /https/],
    ['https://10.0.0.5/hooks', /private/],
    ['https://169.254.169.254/latest/meta-data', /linkLocal/],
    ['https://100.64.0.1/hooks', /carrierGradeNat/],
    ['https://[fd00::1]/hooks', /uniqueLocal/],
    ['https://[::ffff:10.0.0.5]/hooks', /private/],
    ['https://user:pw@127.0.0.1/hooks', /credentials/],
    ['ftp://127.0.0.1/hooks', /https/],
  ])('%s is refused', async (url, rule) => {
    const client = await newClient();
    const before = await countConsumers();
    expectBadInput(
      await register({ clientId: client.id, name: 'Hook', entityTypes: ['Passage'], webhookUrl: url }),
      'input.webhookUrl',
      rule,
    );
    expect(await countConsumers()).toBe(before);
  });

  test.each(['https://127.0.0.1:9443/h', 'http://127.0.0.1:8080/h', 'https://[::1]:9443/h', 'http://localhost:8080/h'])(
    'allow-listed loopback %s is accepted',
    async (url) => {
      const { consumer, signingSecret } = await registered({ webhookUrl: url });
      expect(consumer.webhookUrl).toBe(url);
      expect(signingSecret).not.toBeNull();
    },
  );

  test('an update is checked the same way and changes nothing when refused', async () => {
    const { consumer } = await registered({ webhookUrl: LOCAL_HOOK });
    const res = await stack
      .as(ADMIN)
      .query(UPDATE, { id: consumer.id, input: { name: 'Renamed', webhookUrl: 'https://192.168.0.10/h' } });
    expectBadInput(res, 'input.webhookUrl', /private/);
    const after = await stack
      .as(ADMIN)
      .query<{ changeConsumer: Consumer }>(`query($id: ID!) { changeConsumer(id: $id) { name webhookUrl } }`, {
        id: consumer.id,
      });
    expect(after.body.data!.changeConsumer).toEqual({ name: 'Provincial dashboard', webhookUrl: LOCAL_HOOK });
  });
});

describe('update', () => {
  test('changes name, entity types and active; adding a webhook makes a secret shown once; removing drops it', async () => {
    const { consumer } = await registered();
    const changed = await stack.as(ADMIN).query<{ updateChangeConsumer: Result }>(UPDATE, {
      id: consumer.id,
      input: { name: 'Checkpoint sync', entityTypes: ['Checkpoint', 'Passage'], active: false },
    });
    expect(changed.body.errors).toBeUndefined();
    expect(changed.body.data!.updateChangeConsumer).toMatchObject({
      signingSecret: null,
      consumer: { name: 'Checkpoint sync', entityTypes: ['Checkpoint', 'Passage'], active: false, webhookUrl: null },
    });

    const hooked = await stack
      .as(ADMIN)
      .query<{ updateChangeConsumer: Result }>(UPDATE, { id: consumer.id, input: { webhookUrl: LOCAL_HOOK } });
    const secret = hooked.body.data!.updateChangeConsumer.signingSecret!;
    expect(secret).toMatch(/^whsec_/);
    expect(decryptSecret(TEST_SECRET_KEY_RING, (await stored(consumer.id)).secret_ciphertext!, consumer.id)).toBe(
      secret,
    );
    // the same webhook again: the secret stays and is not shown
    const same = await stack
      .as(ADMIN)
      .query<{ updateChangeConsumer: Result }>(UPDATE, { id: consumer.id, input: { webhookUrl: LOCAL_HOOK } });
    expect(same.body.data!.updateChangeConsumer.signingSecret).toBeNull();

    const unhooked = await stack
      .as(ADMIN)
      .query<{ updateChangeConsumer: Result }>(UPDATE, { id: consumer.id, input: { webhookUrl: null } });
    expect(unhooked.body.data!.updateChangeConsumer.consumer).toMatchObject({
      webhookUrl: null,
      hasSigningSecret: false,
    });
    expect((await stored(consumer.id)).secret_ciphertext).toBeNull();

    expectBadInput(
      await stack.as(ADMIN).query(UPDATE, { id: consumer.id, input: { entityTypes: ['Nope'] } }),
      'input.entityTypes',
    );
    expectBadInput(await stack.as(ADMIN).query(UPDATE, { id: consumer.id, input: { name: null } }), 'input.name');
    const missing = await stack
      .as(ADMIN)
      .query(UPDATE, { id: '00000000-0000-4000-8000-000000000000', input: { name: 'x' } });
    expect(missing.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('rotation', () => {
  test('a new secret, shown once; the previous one is kept, encrypted, until the overlap ends', async () => {
    const { consumer, signingSecret: first } = await registered({ webhookUrl: LOCAL_HOOK });
    const before = await stored(consumer.id);
    const res = await stack
      .as(ADMIN)
      .query<{ rotateChangeConsumerSecret: Result }>(ROTATE, { id: consumer.id, overlap: 90 });
    expect(res.body.errors).toBeUndefined();
    const { signingSecret: second, consumer: after } = res.body.data!.rotateChangeConsumerSecret;
    expect(second).toMatch(/^whsec_/);
    expect(second).not.toBe(first);
    const expires = Date.parse(after.previousSecretExpiresAt!);
    expect(Math.abs(expires - (Date.now() + 90 * 60_000))).toBeLessThan(60_000);

    const row = await stored(consumer.id);
    expect(row.previous_secret_ciphertext).toBe(before.secret_ciphertext);
    expect(decryptSecret(TEST_SECRET_KEY_RING, row.previous_secret_ciphertext!, consumer.id)).toBe(first);
    expect(decryptSecret(TEST_SECRET_KEY_RING, row.secret_ciphertext!, consumer.id)).toBe(second);
    expect(JSON.stringify(res.body)).not.toContain(first!);

    // the default overlap is 60 minutes; 0 drops the previous secret at once
    const again = await stack.as(ADMIN).query<{ rotateChangeConsumerSecret: Result }>(ROTATE, { id: consumer.id });
    const expiresAgain = Date.parse(again.body.data!.rotateChangeConsumerSecret.consumer.previousSecretExpiresAt!);
    expect(Math.abs(expiresAgain - (Date.now() + 60 * 60_000))).toBeLessThan(60_000);
    expect(
      decryptSecret(TEST_SECRET_KEY_RING, (await stored(consumer.id)).previous_secret_ciphertext!, consumer.id),
    ).toBe(second);
    const now = await stack
      .as(ADMIN)
      .query<{ rotateChangeConsumerSecret: Result }>(ROTATE, { id: consumer.id, overlap: 0 });
    expect(now.body.data!.rotateChangeConsumerSecret.consumer.previousSecretExpiresAt).toBeNull();
    expect((await stored(consumer.id)).previous_secret_ciphertext).toBeNull();
  });

  test('bad overlaps and consumers without a webhook are refused', async () => {
    const { consumer } = await registered({ webhookUrl: LOCAL_HOOK });
    expectBadInput(await stack.as(ADMIN).query(ROTATE, { id: consumer.id, overlap: -1 }), 'overlapMinutes');
    expectBadInput(await stack.as(ADMIN).query(ROTATE, { id: consumer.id, overlap: 10081 }), 'overlapMinutes');
    const plain = (await registered()).consumer;
    expectBadInput(await stack.as(ADMIN).query(ROTATE, { id: plain.id }), 'id', /no webhook/);
  });
});

describe('deliveries', () => {
  const insertDelivery = (consumerId: string, feed: string, values: Record<string, unknown>) =>
    stack.db.organisations.query(
      `INSERT INTO change_delivery (consumer_id, feed, cursor, state, failures, last_error, last_attempt_at,
         last_delivered_at, delivered_events, oldest_pending_at, dead_lettered_at, next_attempt_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        consumerId,
        feed,
        values.cursor ?? null,
        values.state ?? 'ACTIVE',
        values.failures ?? 0,
        values.lastError ?? null,
        values.lastAttemptAt ?? null,
        values.lastDeliveredAt ?? null,
        values.deliveredEvents ?? 0,
        values.oldestPendingAt ?? null,
        values.deadLetteredAt ?? null,
        values.nextAttemptAt ?? null,
      ],
    );

  test('each feed shows its position, failures and lag (0 when nothing waits)', async () => {
    const { consumer } = await registered({ webhookUrl: LOCAL_HOOK });
    const delivered = new Date(Date.now() - 60_000);
    await insertDelivery(consumer.id, 'checkpoints', {
      cursor: 'abc',
      deliveredEvents: 3_000_000_000,
      lastDeliveredAt: delivered,
      oldestPendingAt: new Date(Date.now() - 125_000),
    });
    await insertDelivery(consumer.id, 'declarations', {});
    const res = await stack.as(ADMIN).query<{ changeConsumer: Consumer }>(
      `query($id: ID!) { changeConsumer(id: $id) { deliveries {
        feed state cursorSet failures lastError lastAttemptAt lastDeliveredAt deliveredEvents nextAttemptAt lagSeconds } } }`,
      {
        id: consumer.id,
      },
    );
    expect(res.body.errors).toBeUndefined();
    const [checkpoints, declarations] = res.body.data!.changeConsumer.deliveries as Record<string, unknown>[];
    expect(checkpoints).toMatchObject({
      feed: 'checkpoints',
      state: 'ACTIVE',
      cursorSet: true,
      failures: 0,
      deliveredEvents: 3_000_000_000,
      lastDeliveredAt: delivered.toISOString(),
    });
    expect(checkpoints!.lagSeconds).toBeGreaterThanOrEqual(125);
    expect(checkpoints!.lagSeconds).toBeLessThan(185);
    expect(declarations).toMatchObject({ feed: 'declarations', cursorSet: false, deliveredEvents: 0, lagSeconds: 0 });
    // the cursor itself is the worker's: not exposed
    expect(JSON.stringify(res.body)).not.toContain('"abc"');
  });

  test('a dead-lettered feed is put back to work by an admin; anything else is nothing to redeliver', async () => {
    const { consumer } = await registered({ webhookUrl: LOCAL_HOOK });
    await insertDelivery(consumer.id, 'movement', {
      state: 'DEAD_LETTER',
      failures: 12,
      lastError: 'HTTP 503',
      deadLetteredAt: new Date(Date.now() - 3_600_000),
      nextAttemptAt: null,
      oldestPendingAt: new Date(Date.now() - 7_200_000),
    });
    await insertDelivery(consumer.id, 'feedback', {});
    const res = await stack
      .as(ADMIN)
      .query<{ redeliverChangeConsumer: Record<string, unknown> }>(REDELIVER, { id: consumer.id, feed: 'movement' });
    expect(res.body.errors).toBeUndefined();
    const d = res.body.data!.redeliverChangeConsumer;
    expect(d).toMatchObject({ feed: 'movement', state: 'ACTIVE', failures: 0, lastError: 'HTTP 503' });
    expect(Math.abs(Date.parse(d.nextAttemptAt as string) - Date.now())).toBeLessThan(60_000);
    expect(d.lagSeconds).toBeGreaterThanOrEqual(7_200);
    const [row] = (await stack.db.organisations.query(
      `SELECT state, failures, dead_lettered_at FROM change_delivery WHERE consumer_id = $1 AND feed = 'movement'`,
      [consumer.id],
    )) as { state: string; failures: number; dead_lettered_at: Date | null }[];
    expect(row).toEqual({ state: 'ACTIVE', failures: 0, dead_lettered_at: null });

    for (const feed of ['movement', 'feedback', 'checkpoints']) {
      expectBadInput(await stack.as(ADMIN).query(REDELIVER, { id: consumer.id, feed }), 'feed', /nothing to redeliver/);
    }
    expectBadInput(await stack.as(ADMIN).query(REDELIVER, { id: consumer.id, feed: 'nope' }), 'feed', /one of/);
    const missing = await stack
      .as(ADMIN)
      .query(REDELIVER, { id: '00000000-0000-4000-8000-000000000000', feed: 'movement' });
    expect(missing.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  test('the consumers list filters by active', async () => {
    const { consumer } = await registered();
    await stack.as(ADMIN).query(UPDATE, { id: consumer.id, input: { active: false } });
    const inactive = await stack
      .as(ADMIN)
      .query<{ changeConsumers: { id: string; active: boolean }[] }>(
        `{ changeConsumers(active: false) { id active } }`,
      );
    expect(inactive.body.data!.changeConsumers.map((c) => c.id)).toContain(consumer.id);
    expect(inactive.body.data!.changeConsumers.every((c) => !c.active)).toBe(true);
    const active = await stack
      .as(ADMIN)
      .query<{ changeConsumers: { id: string }[] }>(`{ changeConsumers(active: true) { id } }`);
    expect(active.body.data!.changeConsumers.map((c) => c.id)).not.toContain(consumer.id);
  });
});
