import type { CheckpointRow } from '../../subgraphs/checkpoints/entities';
import type { FeedbackRow } from '../../subgraphs/feedback/entities';
import { signInternalToken } from '../../subgraphs/kit/internal-token';
import { assignSeededOperator, insertCheckpoint, insertPassage } from '../factories/checkpoints';
import { testCitizenRef } from '../factories/citizens';
import { insertFeedback } from '../factories/feedback';
import { UNITS } from '../factories/sequence';
import { count } from '../checkpoints/helpers';
import { startStack, type GraphQLResponse, type Stack } from '../stack';
import { testPrincipal } from '../subgraph-client';

/*
 * Record-level authorisation of the checkpoints and feedback subgraphs through the gateway, with the
 * seeded subjects: jurisdiction in lists, by id (the same answer as a missing id), through nested
 * fields and entity joins; writes (a checkpoint officer only where assigned, an analyst nowhere);
 * masking of the feedback reporter's phone; the declared purpose; small-count suppression.
 */

let stack: Stack;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const PURPOSE = { purpose: 'contact tracing' };
const HOUR_MS = 3_600_000;
const hoursAgo = (h: number) => new Date(Date.now() - h * HOUR_MS);

/** Checkpoints of this file: one in Hà Nội (01), one in Hồ Chí Minh City (79), same operator. */
let hn: CheckpointRow;
let hcm: CheckpointRow;
/** A person who passed both. */
const traveller = testCitizenRef(9001);

beforeAll(async () => {
  stack = await startStack();
  const ds = stack.db.checkpoints;
  hn = await insertCheckpoint(ds, {
    name: 'AUTHZ Hà Nội',
    provinceCode: '01',
    districtCode: null,
    wardCode: null,
    operatorCode: 'HN-PC',
  });
  hcm = await insertCheckpoint(ds, {
    name: 'AUTHZ Hồ Chí Minh',
    provinceCode: '79',
    districtCode: null,
    wardCode: null,
    operatorCode: 'HN-PC',
  });
  for (const [cp, h] of [
    [hn, 5],
    [hcm, 3],
  ] as const) {
    await insertPassage(ds, { checkpointId: cp.id, citizenRef: traveller, scannedAt: hoursAgo(h) });
  }
  // Two other people at Hà Nội near the traveller's scan (co-presence), three at HCM.
  await insertPassage(ds, { checkpointId: hn.id, citizenRef: testCitizenRef(9002), scannedAt: hoursAgo(5) });
  await insertPassage(ds, { checkpointId: hn.id, citizenRef: testCitizenRef(9003), scannedAt: hoursAgo(5) });
  for (let i = 0; i < 3; i++) {
    await insertPassage(ds, { checkpointId: hcm.id, citizenRef: testCitizenRef(9010 + i), scannedAt: hoursAgo(3) });
  }
});
afterAll(async () => {
  await stack.stop();
});

const errorsOf = (res: GraphQLResponse<unknown>) =>
  (res.body.errors ?? []).map((e) => ({ code: e.extensions?.code, field: e.extensions?.field }));

describe('checkpoints: jurisdiction', () => {
  const LIST = `{ checkpoints(first: 200) { edges { node { id name } } } }`;
  const names = async (subject: string) => {
    const res = await stack.as(subject).query<{ checkpoints: { edges: { node: { name: string } }[] } }>(LIST);
    expect(res.body.errors).toBeUndefined();
    return res.body.data!.checkpoints.edges.map((e) => e.node.name).filter((n) => n.startsWith('AUTHZ'));
  };

  test('lists keep the caller’s provinces: 01 and 79 officials each see their own, the DPO both', async () => {
    expect(await names('dev-health-01')).toEqual(['AUTHZ Hà Nội']);
    expect(await names('dev-health-79')).toEqual(['AUTHZ Hồ Chí Minh']);
    expect(await names('dev-dpo')).toEqual(['AUTHZ Hà Nội', 'AUTHZ Hồ Chí Minh']);
  });

  test('by id, a checkpoint outside the jurisdiction is answered exactly as a missing id', async () => {
    const Q = `query($id: ID!) { checkpoint(id: $id) { id name } }`;
    const outside = await stack.as('dev-health-01').query(Q, { id: hcm.id });
    const missing = await stack.as('dev-health-01').query(Q, { id: UNKNOWN_ID });
    expect(outside.body).toEqual({ data: { checkpoint: null } });
    expect(outside.body).toEqual(missing.body);
    const inside = await stack.as('dev-health-79').query(Q, { id: hcm.id });
    expect(inside.body).toEqual({ data: { checkpoint: { id: hcm.id, name: 'AUTHZ Hồ Chí Minh' } } });
  });

  test('passages at a checkpoint outside the jurisdiction: none, as for an unknown checkpoint', async () => {
    const Q = `query($id: ID!) { passages(checkpointId: $id) { edges { node { id } } } }`;
    const outside = await stack.as('dev-health-01', PURPOSE).query(Q, { id: hcm.id });
    const missing = await stack.as('dev-health-01', PURPOSE).query(Q, { id: UNKNOWN_ID });
    expect(outside.body).toEqual({ data: { passages: { edges: [] } } });
    expect(outside.body).toEqual(missing.body);
    const inside = await stack.as('dev-health-79', PURPOSE).query<{ passages: { edges: unknown[] } }>(Q, {
      id: hcm.id,
    });
    expect(inside.body.data!.passages.edges).toHaveLength(4);
  });

  test('nested: Citizen.passages keeps only the passages at checkpoints in the jurisdiction', async () => {
    const Q = `query($id: ID!) { passages(checkpointId: $id) { edges { node {
      citizen { ref passages { checkpoint { name } } }
    } } } }`;
    const res = await stack.as('dev-health-01', PURPOSE).query<{
      passages: { edges: { node: { citizen: { ref: string; passages: { checkpoint: { name: string } }[] } } }[] };
    }>(Q, { id: hn.id });
    expect(res.body.errors).toBeUndefined();
    const mine = res.body.data!.passages.edges.find((e) => e.node.citizen.ref === traveller)!;
    // The traveller also passed the HCM checkpoint: invisible to a province-01 official.
    expect(mine.node.citizen.passages).toEqual([{ checkpoint: { name: 'AUTHZ Hà Nội' } }]);
    const national = await stack.as('dev-dpo', PURPOSE).query<typeof res.body.data>(Q, { id: hn.id });
    const all = national.body.data!.passages.edges.find((e) => e.node.citizen.ref === traveller)!;
    expect(all.node.citizen.passages.map((p) => p.checkpoint.name)).toEqual(['AUTHZ Hồ Chí Minh', 'AUTHZ Hà Nội']);
  });

  test('entity join: Organisation.checkpoints (from the organisations subgraph) keeps the jurisdiction', async () => {
    const Q = `{ organisation(code: "HN-PC") { checkpoints { name } } }`;
    const names01 = await stack.as('dev-health-01').query<{ organisation: { checkpoints: { name: string }[] } }>(Q);
    expect(names01.body.data!.organisation.checkpoints.map((c) => c.name).filter((n) => n.startsWith('AUTHZ'))).toEqual(
      ['AUTHZ Hà Nội'],
    );
    const names79 = await stack.as('dev-health-79').query<typeof names01.body.data>(Q);
    expect(names79.body.data!.organisation.checkpoints.map((c) => c.name).filter((n) => n.startsWith('AUTHZ'))).toEqual(
      ['AUTHZ Hồ Chí Minh'],
    );
  });

  test('entity join: __resolveReference answers a passage outside the jurisdiction as a missing one', async () => {
    const [outside] = (await stack.db.checkpoints.query(`SELECT id FROM passage WHERE checkpoint_id = $1 LIMIT 1`, [
      hcm.id,
    ])) as { id: string }[];
    const [inside] = (await stack.db.checkpoints.query(`SELECT id FROM passage WHERE checkpoint_id = $1 LIMIT 1`, [
      hn.id,
    ])) as { id: string }[];
    const principal = testPrincipal({
      subject: 'dev-health-01',
      roles: ['health_official'],
      jurisdictions: [{ unitCode: '01', includeDescendants: true }],
    });
    const token = await signInternalToken(stack.internal.signing, principal, 'checkpoints');
    const res = await fetch(stack.subgraphUrls.checkpoints, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: `query($r: [_Any!]!) { _entities(representations: $r) {
          ... on Passage { id } ... on Checkpoint { id } } }`,
        variables: {
          r: [
            { __typename: 'Passage', id: outside!.id },
            { __typename: 'Passage', id: inside!.id },
            { __typename: 'Passage', id: UNKNOWN_ID },
            { __typename: 'Checkpoint', id: hcm.id },
            { __typename: 'Checkpoint', id: hn.id },
          ],
        },
      }),
    });
    expect(await res.json()).toEqual({
      data: { _entities: [null, { id: inside!.id }, null, null, { id: hn.id }] },
    });
  });

  test('coPresence only within the jurisdiction', async () => {
    const Q = `query($id: ID!, $ref: ID!) { coPresence(checkpointId: $id, citizenRef: $ref, windowMinutes: 60) {
      contacts { passage { id } } } }`;
    const outside = await stack.as('dev-health-01', PURPOSE).query(Q, { id: hcm.id, ref: traveller });
    expect(outside.body).toEqual({ data: { coPresence: { contacts: [] } } });
    const inside = await stack.as('dev-health-79', PURPOSE).query<{ coPresence: { contacts: unknown[] } }>(Q, {
      id: hcm.id,
      ref: traveller,
    });
    expect(inside.body.data!.coPresence.contacts).toHaveLength(3);
  });
});

describe('checkpoints: writes', () => {
  const RECORD = `mutation($input: PassageInput!) { recordPassage(input: $input) { id } }`;
  const BATCH = `mutation($passages: [BatchPassageInput!]!) {
    recordPassagesBatch(deviceId: "authz-device", passages: $passages) { stored rejected items { outcome error { code field } } }
  }`;
  const passage = (checkpointId: string, n: number) => ({
    checkpointId,
    citizenRef: testCitizenRef(n),
    direction: 'IN',
    scannedAt: hoursAgo(1).toISOString(),
    credentialType: 'PERSONAL_QR',
    decision: 'ALLOWED',
  });
  const stored = () => count(stack.db.checkpoints, 'passage');

  test('a checkpoint officer records only at checkpoints assigned to them', async () => {
    const assigned = await insertCheckpoint(stack.db.checkpoints, { provinceCode: '01' });
    const unassigned = await insertCheckpoint(stack.db.checkpoints, { provinceCode: '01' });
    await assignSeededOperator(stack.db.checkpoints, assigned.id);
    // Another user's assignment does not count.
    await assignSeededOperator(stack.db.checkpoints, unassigned.id, 'dev-health-01');
    const officer = stack.as('dev-checkpoint-01');

    const before = await stored();
    const refused = await officer.query(RECORD, { input: passage(unassigned.id, 9100) });
    expect(refused.body.data).toBeNull();
    expect(errorsOf(refused)).toEqual([{ code: 'FORBIDDEN', field: 'checkpointId' }]);
    expect(await stored()).toBe(before);

    const batch = await officer.query<{
      recordPassagesBatch: { stored: number; rejected: number; items: { outcome: string; error: unknown }[] };
    }>(BATCH, {
      passages: [
        { ...passage(unassigned.id, 9101), devicePassageId: 'authz-1' },
        { ...passage(assigned.id, 9102), devicePassageId: 'authz-2' },
      ],
    });
    expect(batch.body.data!.recordPassagesBatch).toEqual({
      stored: 1,
      rejected: 1,
      items: [
        { outcome: 'REJECTED', error: { code: 'FORBIDDEN', field: 'checkpointId' } },
        { outcome: 'STORED', error: null },
      ],
    });
    expect(await stored()).toBe(before + 1);

    const ok = await officer.query(RECORD, { input: passage(assigned.id, 9103) });
    expect(ok.body.errors).toBeUndefined();
    expect(await stored()).toBe(before + 2);
  });

  test('at a checkpoint outside the jurisdiction, a consumer device gets the unknown-checkpoint answer', async () => {
    const before = await stored();
    // dev-consumer-79 has no passages:write: the gateway refuses it before any subgraph is called.
    const consumer = await stack.as('dev-consumer-79').query(RECORD, { input: passage(hn.id, 9110) });
    expect(errorsOf(consumer).map((e) => e.code)).toEqual(['FORBIDDEN']);
    // A province-01 officer assigned (by mistake) to the HCM checkpoint still may not record there.
    await assignSeededOperator(stack.db.checkpoints, hcm.id);
    const outside = await stack.as('dev-checkpoint-01').query(RECORD, { input: passage(hcm.id, 9111) });
    const missing = await stack.as('dev-checkpoint-01').query(RECORD, { input: passage(UNKNOWN_ID, 9111) });
    expect(errorsOf(outside)).toEqual([{ code: 'BAD_USER_INPUT', field: 'checkpointId' }]);
    expect(outside.body.errors![0]!.message).toBe(missing.body.errors![0]!.message);
    expect(await stored()).toBe(before);
  });

  test('a batch retry does not reveal a stored passage at a checkpoint outside the jurisdiction', async () => {
    await insertPassage(stack.db.checkpoints, {
      checkpointId: hcm.id,
      scannedAt: hoursAgo(1),
      deviceId: 'authz-device',
      devicePassageId: 'authz-hcm-1',
    });
    const res = await stack.as('dev-checkpoint-01').query<{
      recordPassagesBatch: { items: { outcome: string; error: unknown }[] };
    }>(BATCH, { passages: [{ ...passage(hcm.id, 9130), devicePassageId: 'authz-hcm-1' }] });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.recordPassagesBatch.items).toEqual([
      { outcome: 'REJECTED', error: { code: 'BAD_USER_INPUT', field: 'checkpointId' } },
    ]);
  });

  test('checkpoint writes outside the jurisdiction: new ones FORBIDDEN naming the field, existing ones NOT_FOUND', async () => {
    const REGISTER = `mutation($input: RegisterCheckpointInput!) { registerCheckpoint(input: $input) { id } }`;
    const before = await count(stack.db.checkpoints, 'checkpoint');
    const res = await stack.as('dev-health-01').query(REGISTER, {
      input: {
        name: 'Chốt Bến Nghé',
        kind: 'URBAN_CHECKPOINT',
        provinceCode: '79',
        districtCode: UNITS.hoChiMinh.district,
        wardCode: UNITS.hoChiMinh.ward,
        scanMode: 'CAMERA',
        activeFrom: '2025-03-15T00:00:00.000Z',
      },
    });
    expect(errorsOf(res)).toEqual([{ code: 'FORBIDDEN', field: 'input.provinceCode' }]);
    expect(await count(stack.db.checkpoints, 'checkpoint')).toBe(before);

    const CLOSE = `mutation($id: ID!) { closeCheckpoint(id: $id, reason: "test") { id } }`;
    const outside = await stack.as('dev-health-01').query(CLOSE, { id: hcm.id });
    const missing = await stack.as('dev-health-01').query(CLOSE, { id: UNKNOWN_ID });
    expect(errorsOf(outside)).toEqual([{ code: 'NOT_FOUND', field: undefined }]);
    expect(outside.body.errors![0]!.message).toBe(missing.body.errors![0]!.message);
    const ASSIGN = `mutation($id: ID!, $user: ID!) { assignOperator(checkpointId: $id, userId: $user) { id } }`;
    const assign = await stack.as('dev-health-01').query(ASSIGN, { id: hcm.id, user: UNKNOWN_ID });
    expect(errorsOf(assign)).toEqual([{ code: 'NOT_FOUND', field: undefined }]);
    const [row] = (await stack.db.checkpoints.query(`SELECT status FROM checkpoint WHERE id = $1`, [hcm.id])) as {
      status: string;
    }[];
    expect(row!.status).toBe('ACTIVE');
  });

  test('an analyst writes nothing', async () => {
    const before = { passages: await stored(), feedback: await count(stack.db.feedback, 'feedback') };
    const analyst = stack.as('dev-analyst');
    const record = await analyst.query(RECORD, { input: passage(hn.id, 9120) });
    expect(errorsOf(record).map((e) => e.code)).toEqual(['FORBIDDEN']);
    const close = await analyst.query(`mutation($id: ID!) { closeCheckpoint(id: $id, reason: "x") { id } }`, {
      id: hn.id,
    });
    expect(errorsOf(close).map((e) => e.code)).toEqual(['FORBIDDEN']);
    const submit = await analyst.query(
      `mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { id } }`,
      {
        input: {
          channel: 'APP',
          category: 'OTHER',
          description: 'x',
          provinceCode: '01',
          reporter: { anonymous: true },
        },
      },
    );
    expect(errorsOf(submit).map((e) => e.code)).toEqual(['FORBIDDEN']);
    expect({ passages: await stored(), feedback: await count(stack.db.feedback, 'feedback') }).toEqual(before);
  });
});

describe('checkpoints: purpose and small counts', () => {
  test('bulk and person-centric reads without a declared purpose are FORBIDDEN (PURPOSE_REQUIRED)', async () => {
    for (const [query, variables] of [
      [`query($id: ID!) { passages(checkpointId: $id) { edges { node { id } } } }`, { id: hn.id }],
      [
        `query($id: ID!, $ref: ID!) { coPresence(checkpointId: $id, citizenRef: $ref, windowMinutes: 60) { truncated } }`,
        { id: hn.id, ref: traveller },
      ],
      [`{ organisation(code: "HN-PC") { checkpoints { id } } }`, {}],
    ] as const) {
      const res = await stack.as('dev-health-01').query(query, variables);
      if (query.includes('organisation')) {
        expect(res.body.errors).toBeUndefined(); // not person-centric: no purpose needed
        continue;
      }
      expect(res.body.errors?.map((e) => [e.extensions?.code, e.extensions?.reason])).toEqual([
        ['FORBIDDEN', 'PURPOSE_REQUIRED'],
      ]);
    }
  });

  test('Citizen.passages (a person’s timeline) needs a purpose', async () => {
    const principal = testPrincipal({ roles: ['health_official'] });
    const token = await signInternalToken(stack.internal.signing, principal, 'checkpoints');
    const res = await fetch(stack.subgraphUrls.checkpoints, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { passages { id } } } }`,
        variables: { r: [{ __typename: 'Citizen', ref: traveller }] },
      }),
    });
    const body = (await res.json()) as { errors?: { extensions?: Record<string, unknown> }[] };
    expect(body.errors?.map((e) => [e.extensions?.code, e.extensions?.reason])).toEqual([
      ['FORBIDDEN', 'PURPOSE_REQUIRED'],
    ]);
  });

  test('checkpointLoad: an analyst gets counts below 5 suppressed, an official the full counts', async () => {
    const Q = `query($id: ID!) { checkpointLoad(checkpointId: $id, bucket: DAY) { direction count } }`;
    const analyst = await stack.as('dev-analyst').query<{ checkpointLoad: { count: number | null }[] }>(Q, {
      id: hn.id,
    });
    expect(analyst.body.errors).toBeUndefined();
    expect(analyst.body.data!.checkpointLoad.map((b) => b.count)).toEqual([null]);
    const official = await stack.as('dev-health-01').query<typeof analyst.body.data>(Q, { id: hn.id });
    expect(official.body.data!.checkpointLoad.map((b) => b.count)).toEqual([3]);
    // The official of another province sees no load at all for it (outside the jurisdiction).
    const other = await stack.as('dev-health-79').query<typeof analyst.body.data>(Q, { id: hn.id });
    expect(other.body.data!.checkpointLoad).toEqual([]);
  });
});

describe('feedback', () => {
  let hnItem: FeedbackRow;
  let hcmItem: FeedbackRow;
  let hcmForHnDoh: FeedbackRow;
  const hcm79 = { provinceCode: '79', districtCode: UNITS.hoChiMinh.district, wardCode: UNITS.hoChiMinh.ward };
  beforeAll(async () => {
    const ds = stack.db.feedback;
    hnItem = await insertFeedback(ds, { description: 'AUTHZ HN', reporterKind: 'PHONE', reporterPhone: '0912345678' });
    hcmItem = await insertFeedback(ds, { description: 'AUTHZ HCM', ...hcm79 });
    // Reported in HCM, handled by the Hà Nội health department (dev-health-01's organisation).
    hcmForHnDoh = await insertFeedback(ds, {
      description: 'AUTHZ HCM for HN-DOH',
      ...hcm79,
      status: 'ASSIGNED',
      assigneeCode: 'HN-DOH',
    });
  });

  const LIST = `{ feedbackList(first: 200) { edges { node { description } } } }`;
  const descriptions = async (subject: string) => {
    const res = await stack.as(subject).query<{ feedbackList: { edges: { node: { description: string } }[] } }>(LIST);
    expect(res.body.errors).toBeUndefined();
    return res.body
      .data!.feedbackList.edges.map((e) => e.node.description)
      .filter((d) => d.startsWith('AUTHZ'))
      .sort();
  };

  test('lists: by the item’s units, or assigned to the caller’s organisation', async () => {
    expect(await descriptions('dev-health-01')).toEqual(['AUTHZ HCM for HN-DOH', 'AUTHZ HN']);
    expect(await descriptions('dev-health-79')).toEqual(['AUTHZ HCM', 'AUTHZ HCM for HN-DOH']);
    expect(await descriptions('dev-dpo')).toEqual(['AUTHZ HCM', 'AUTHZ HCM for HN-DOH', 'AUTHZ HN']);
  });

  test('by id outside the jurisdiction: the answer for a missing id; Organisation.assignedFeedback filtered', async () => {
    const Q = `query($id: ID!) { feedback(id: $id) { id } }`;
    const outside = await stack.as('dev-health-01').query(Q, { id: hcmItem.id });
    const missing = await stack.as('dev-health-01').query(Q, { id: UNKNOWN_ID });
    expect(outside.body).toEqual({ data: { feedback: null } });
    expect(outside.body).toEqual(missing.body);
    const assigned = await stack.as('dev-health-01').query(Q, { id: hcmForHnDoh.id });
    expect(assigned.body).toEqual({ data: { feedback: { id: hcmForHnDoh.id } } });

    const ORG = `{ organisation(code: "HN-DOH") { assignedFeedback(first: 200) { id } } }`;
    const mine = await stack.as('dev-health-01').query<{ organisation: { assignedFeedback: { id: string }[] } }>(ORG);
    expect(mine.body.data!.organisation.assignedFeedback.map((f) => f.id)).toContain(hcmForHnDoh.id);
    // The hotline of Hà Nội (another organisation) does not see an HCM item assigned to HN-DOH.
    const hotline = await stack.as('dev-hotline-01').query<typeof mine.body.data>(ORG);
    expect(hotline.body.data!.organisation.assignedFeedback.map((f) => f.id)).not.toContain(hcmForHnDoh.id);
  });

  test('writes outside the jurisdiction: NOT_FOUND as for a missing id, or FORBIDDEN naming the field', async () => {
    const TRANSITION = `mutation($id: ID!) { transitionFeedback(id: $id, to: REJECTED, note: "spam") { id } }`;
    const outside = await stack.as('dev-health-01').query(TRANSITION, { id: hcmItem.id });
    const missing = await stack.as('dev-health-01').query(TRANSITION, { id: UNKNOWN_ID });
    expect(errorsOf(outside)).toEqual([{ code: 'NOT_FOUND', field: undefined }]);
    expect(outside.body.errors![0]!.message).toBe(missing.body.errors![0]!.message);
    const before = await count(stack.db.feedback, 'feedback');
    const submit = await stack
      .as('dev-hotline-01')
      .query(`mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { id } }`, {
        input: {
          channel: 'HOTLINE',
          category: 'OTHER',
          description: 'A report about HCM',
          ...hcm79,
          reporter: { anonymous: true },
        },
      });
    expect(errorsOf(submit)).toEqual([{ code: 'FORBIDDEN', field: 'input.provinceCode' }]);
    expect(await count(stack.db.feedback, 'feedback')).toBe(before);
    const [row] = (await stack.db.feedback.query(`SELECT status FROM feedback WHERE id = $1`, [hcmItem.id])) as {
      status: string;
    }[];
    expect(row!.status).toBe(hcmItem.status);
  });

  test('the reporter’s phone: clear with pii:read, masked with restricted:read alone', async () => {
    const Q = `query($id: ID!) { feedback(id: $id) { reporter { phone } } }`;
    const hotline = await stack.as('dev-hotline-01').query(Q, { id: hnItem.id });
    expect(hotline.body).toEqual({ data: { feedback: { reporter: { phone: '0912345678' } } } });
    // No seeded role has restricted:read without pii:read: ask the subgraph as the gateway would.
    const principal = testPrincipal({
      scopes: ['feedback:read', 'restricted:read'],
      jurisdictions: [{ unitCode: '01', includeDescendants: true }],
    });
    const token = await signInternalToken(stack.internal.signing, principal, 'feedback');
    const res = await fetch(stack.subgraphUrls.feedback, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: Q, variables: { id: hnItem.id } }),
    });
    expect(await res.json()).toEqual({ data: { feedback: { reporter: { phone: '09******78' } } } });
  });

  test('feedbackStats: an analyst gets counts below 5 suppressed, a reader of feedback the full counts', async () => {
    const Q = `{ feedbackStats(unitCode: "79", groupBy: STATUS) { total buckets { key count } } }`;
    const analyst = await stack.as('dev-analyst').query<{ feedbackStats: unknown }>(Q);
    expect(analyst.body.errors).toBeUndefined();
    expect(analyst.body.data!.feedbackStats).toEqual({
      total: null,
      buckets: [
        { key: 'RECEIVED', count: null },
        { key: 'ASSIGNED', count: null },
      ],
    });
    const official = await stack.as('dev-health-79').query<{ feedbackStats: unknown }>(Q);
    expect(official.body.data!.feedbackStats).toEqual({
      total: 2,
      buckets: [
        { key: 'RECEIVED', count: 1 },
        { key: 'ASSIGNED', count: 1 },
      ],
    });
    // A province-01 official counts only what they may read: the item assigned to their organisation.
    const other = await stack.as('dev-health-01').query<{ feedbackStats: unknown }>(Q);
    expect(other.body.data!.feedbackStats).toEqual({ total: 1, buckets: [{ key: 'ASSIGNED', count: 1 }] });
  });

  test('overdue lists keep the jurisdiction', async () => {
    const Q = `{ overdueFeedback(first: 200) { edges { node { id province { code } } } } }`;
    const ds = stack.db.feedback;
    const late79 = await insertFeedback(ds, { ...hcm79, reportedAt: hoursAgo(24 * 20), dueAt: hoursAgo(24 * 10) });
    const late01 = await insertFeedback(ds, { reportedAt: hoursAgo(24 * 20), dueAt: hoursAgo(24 * 10) });
    const ids = async (subject: string) =>
      (
        await stack.as(subject).query<{ overdueFeedback: { edges: { node: { id: string } }[] } }>(Q)
      ).body.data!.overdueFeedback.edges.map((e) => e.node.id);
    const seen01 = await ids('dev-health-01');
    expect(seen01).toContain(late01.id);
    expect(seen01).not.toContain(late79.id);
    const seen79 = await ids('dev-health-79');
    expect(seen79).toContain(late79.id);
    expect(seen79).not.toContain(late01.id);
  });
});
