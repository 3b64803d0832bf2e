import type { DataSource, QueryRunner } from 'typeorm';
import { SUBGRAPHS, type SubgraphName } from '../../subgraphs/kit/module';
import { purgeRange } from '../../subgraphs/kit/outbox';
import { assignSeededOperator, insertCheckpoint, insertPassage } from '../factories/checkpoints';
import { testCitizenRef } from '../factories/citizens';
import { startStack, type Stack } from '../stack';

/**
 * The outbox and the change feeds (DESIGN §6): every write leaves an event in its transaction, a
 * rolled-back one none; the feed pages events in commit-safe batches, so a reader resuming from its
 * cursor never skips a transaction that took an earlier position and committed late, never sees an
 * event twice, and sees one record's events in order; only the caller's jurisdiction; payloads
 * follow the graph's field rules.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ demo: true });
});
afterAll(async () => {
  await stack?.stop();
});

interface EventRow {
  position: string;
  id: string;
  entity_type: string;
  entity_id: string;
  change_kind: string;
  unit_codes: string[];
}
const events = async (name: SubgraphName, where = 'TRUE', params: unknown[] = []): Promise<EventRow[]> =>
  (await stack.db[name].query(
    `SELECT position::text, id, entity_type, entity_id, change_kind, unit_codes FROM outbox_event
      WHERE ${where} ORDER BY outbox_event.position`,
    params,
  )) as EventRow[];
const countRows = async (ds: DataSource, sql: string): Promise<number> =>
  Number(((await ds.query(sql)) as { n: string }[])[0]!.n);

describe('outbox', () => {
  test("every subgraph's seeded records left one CREATED event each, with their unit codes", async () => {
    const expectations: [SubgraphName, string, string][] = [
      ['organisations', 'Organisation', 'SELECT count(*) AS n FROM organisation'],
      ['organisations', 'User', 'SELECT count(*) AS n FROM app_user'],
      ['organisations', 'RoleGrant', 'SELECT count(*) AS n FROM role_grant'],
      ['declarations', 'HealthDeclaration', 'SELECT count(DISTINCT id) AS n FROM health_declaration'],
      ['declarations', 'MonitoringPeriod', 'SELECT count(*) AS n FROM monitoring_period'],
      ['movement', 'MovementDeclaration', 'SELECT count(*) AS n FROM movement_declaration'],
      ['checkpoints', 'Checkpoint', 'SELECT count(*) AS n FROM checkpoint'],
      ['checkpoints', 'Passage', 'SELECT count(*) AS n FROM passage'],
      ['feedback', 'Feedback', 'SELECT count(*) AS n FROM feedback'],
    ];
    for (const [name, type, sql] of expectations) {
      const rows = await countRows(stack.db[name], sql);
      expect(rows).toBeGreaterThan(0);
      const created = await events(name, `entity_type = $1 AND change_kind = 'CREATED'`, [type]);
      expect(new Set(created.map((e) => e.entity_id)).size).toBe(rows);
    }
    const passages = await events('checkpoints', `entity_type = 'Passage'`);
    const [one] = (await stack.db.checkpoints.query(
      `SELECT p.id::text, c.province_code FROM passage p JOIN checkpoint c ON c.id = p.checkpoint_id LIMIT 1`,
    )) as { id: string; province_code: string }[];
    expect(passages.find((e) => e.entity_id === one!.id)!.unit_codes).toContain(one!.province_code);
    // audit rows produce no events
    const before = await events('declarations');
    await stack.appDb.declarations.query(
      `INSERT INTO audit_record (actor, entity_type, entity_id, fields, request_id) VALUES ('t', 'Citizen', 'x', '{ref}', 'r')`,
    );
    expect(await events('declarations')).toEqual(before);
  });

  test('a write through the graph leaves its event; updates and deletions too', async () => {
    const before = await events('checkpoints');
    const cp = await insertCheckpoint(stack.db.checkpoints, { provinceCode: '01', districtCode: null, wardCode: null });
    await assignSeededOperator(stack.db.checkpoints, cp.id);
    const res = await stack
      .as('dev-checkpoint-01')
      .query<{ recordPassage: { id: string } }>(
        `mutation($input: PassageInput!) { recordPassage(input: $input) { id } }`,
        {
          input: {
            checkpointId: cp.id,
            citizenRef: testCitizenRef(900),
            direction: 'IN',
            scannedAt: new Date(Date.now() - 60_000).toISOString(),
            credentialType: 'PERSONAL_QR',
            decision: 'ALLOWED',
          },
        },
      );
    expect(res.body.errors).toBeUndefined();
    const id = res.body.data!.recordPassage.id;
    await stack.db.checkpoints.query(`UPDATE passage SET reason = 'x' WHERE id = $1`, [id]);
    await stack.db.checkpoints.query(`DELETE FROM passage WHERE id = $1`, [id]);
    const mine = (await events('checkpoints')).slice(before.length).filter((e) => e.entity_id === id);
    expect(mine.map((e) => e.change_kind)).toEqual(['CREATED', 'UPDATED', 'DELETED']);
    expect(mine.every((e) => e.unit_codes.includes('01'))).toBe(true);
  });

  test('a rolled-back write leaves no event; a failed mutation none either', async () => {
    const before = await events('checkpoints');
    const [cp] = (await stack.db.checkpoints.query(`SELECT id FROM checkpoint LIMIT 1`)) as { id: string }[];
    const q = stack.db.checkpoints.createQueryRunner();
    await q.connect();
    try {
      await q.startTransaction();
      await q.query(
        `INSERT INTO passage (checkpoint_id, citizen_ref, direction, scanned_at, credential_type, decision, recorded_by)
         VALUES ($1, $2, 'IN', now(), 'PERSONAL_QR', 'ALLOWED', 'test')`,
        [cp!.id, testCitizenRef(901)],
      );
      expect((await q.query(`SELECT count(*)::int AS n FROM outbox_event`))[0].n).toBe(before.length + 1);
      await q.rollbackTransaction();
    } finally {
      await q.release();
    }
    const bad = await stack
      .as('dev-checkpoint-01')
      .query(`mutation($input: PassageInput!) { recordPassage(input: $input) { id } }`, {
        input: {
          checkpointId: cp!.id,
          citizenRef: 'nope',
          direction: 'IN',
          scannedAt: new Date().toISOString(),
          credentialType: 'PERSONAL_QR',
          decision: 'ALLOWED',
        },
      });
    expect(bad.body.errors).toBeDefined();
    expect(await events('checkpoints')).toEqual(before);
  });

  test('a retention purge leaves one PURGED event for the range, not one per record', async () => {
    const cp = await insertCheckpoint(stack.db.checkpoints, { provinceCode: '79', districtCode: null, wardCode: null });
    for (let i = 0; i < 5; i += 1) {
      await insertPassage(stack.db.checkpoints, { checkpointId: cp.id, scannedAt: new Date(Date.UTC(2020, 0, 1 + i)) });
    }
    const before = await events('checkpoints');
    const purged = await stack.db.checkpoints.transaction((m) =>
      purgeRange(m, {
        entityType: 'Passage',
        deleteSql: `DELETE FROM passage WHERE scanned_at < $1`,
        params: [new Date(Date.UTC(2020, 1, 1))],
        range: { scannedBefore: '2020-02-01' },
      }),
    );
    expect(purged).toBe(5);
    const added = (await events('checkpoints')).slice(before.length);
    expect(added.map((e) => [e.entity_type, e.change_kind])).toEqual([['Passage', 'PURGED']]);
  });
});

// --- the feed through the graph ---

const FEED = `query ($after: String, $first: Int, $types: [String!]) {
  checkpointChanges(after: $after, first: $first, entityTypes: $types) {
    events { id entityType entityId kind unitCodes entity { __typename ... on Passage { id citizen { ref } checkpoint { id } } } }
    endCursor
    hasMore
  }
}`;
interface FeedEvent {
  id: string;
  entityType: string;
  entityId: string;
  kind: string;
  unitCodes: string[];
  entity: Record<string, unknown> | null;
}
interface Feed {
  checkpointChanges: { events: FeedEvent[]; endCursor: string; hasMore: boolean };
}

/** Reads the whole feed from `after` in pages of `first`, as a consumer would. */
async function drain(subject: string, after: string | null, first = 7, types?: string[]) {
  const out: FeedEvent[] = [];
  let cursor = after;
  for (let i = 0; i < 1000; i += 1) {
    const res = await stack.as(subject, { purpose: 'change-feed' }).query<Feed>(FEED, { after: cursor, first, types });
    expect(res.body.errors).toBeUndefined();
    const page = res.body.data!.checkpointChanges;
    out.push(...page.events);
    cursor = page.endCursor;
    if (!page.hasMore) return { events: out, cursor };
  }
  throw new Error('feed did not end');
}

describe('change feed', () => {
  test('pages the whole feed: every event once, positions ascending, only the jurisdiction', async () => {
    const all = await events('checkpoints');
    const { events: national } = await drain('dev-dpo', null, 9);
    expect(national.map((e) => e.id)).toEqual(all.map((e) => e.id));

    const { events: hcmc } = await drain('dev-health-79', null, 5);
    const expected79 = all.filter((e) => e.unit_codes.includes('79'));
    expect(hcmc.map((e) => e.id)).toEqual(expected79.map((e) => e.id));
    expect(hcmc.some((e) => e.unitCodes.includes('01') && !e.unitCodes.includes('79'))).toBe(false);
    expect(expected79.length).toBeGreaterThan(0);
  });

  test('entity payloads follow the field rules: a caller without checkpoints:read gets nothing', async () => {
    const res = await stack.as('dev-analyst', { purpose: 'change-feed' }).query(FEED, { first: 3 });
    expect(res.body.data).toBeNull();
    expect(res.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const noPurpose = await stack.as('dev-health-79').query(FEED, { first: 3 });
    expect(noPurpose.body.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'PURPOSE_REQUIRED' });
    const { events: feed } = await drain('dev-health-79', null, 50, ['Passage']);
    const live = feed.filter((e) => e.kind !== 'DELETED' && e.kind !== 'PURGED');
    expect(live.length).toBeGreaterThan(0);
    // live passages come with their record; deleted ones without
    expect(live.some((e) => e.entity && (e.entity as { id: string }).id === e.entityId)).toBe(true);
    expect(feed.filter((e) => e.kind === 'DELETED').every((e) => e.entity === null)).toBe(true);
    for (const e of feed) expect(e.entityType).toBe('Passage');
  });

  test('an unknown entity type or a forged cursor is BAD_USER_INPUT naming the argument', async () => {
    const a = await stack.as('dev-dpo', { purpose: 'change-feed' }).query(FEED, { types: ['Nope'] });
    expect(a.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'entityTypes' });
    const b = await stack.as('dev-dpo', { purpose: 'change-feed' }).query(FEED, { after: 'not-a-cursor' });
    expect(b.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const c = await stack.as('dev-dpo', { purpose: 'change-feed' }).query(FEED, { first: 201 });
    expect(c.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  test('a transaction that took an earlier position and commits late is not skipped by a resumed reader', async () => {
    const { cursor: start } = await drain('dev-dpo', null, 50);
    const cp = (await stack.db.checkpoints.query(`SELECT id FROM checkpoint ORDER BY id LIMIT 1`)) as { id: string }[];
    const insert = (q: QueryRunner | DataSource, n: number) =>
      q.query(
        `INSERT INTO passage (checkpoint_id, citizen_ref, direction, scanned_at, credential_type, decision, recorded_by)
         VALUES ($1, $2, 'IN', now(), 'PERSONAL_QR', 'ALLOWED', 'test') RETURNING id::text`,
        [cp[0]!.id, testCitizenRef(n)],
      ) as Promise<{ id: string }[]>;

    const slow = stack.db.checkpoints.createQueryRunner();
    await slow.connect();
    try {
      await slow.startTransaction();
      const [late] = await insert(slow, 910); // takes the earlier position, stays open
      const [early] = await insert(stack.db.checkpoints, 911); // later position, commits first
      const first = await drain('dev-dpo', start, 2);
      expect(first.events.map((e) => e.entityId)).toEqual([early!.id]);
      await slow.commitTransaction();

      const second = await drain('dev-dpo', first.cursor, 2);
      expect(second.events.map((e) => e.entityId)).toEqual([late!.id]);
      const positions = await events('checkpoints', `entity_id = ANY ($1)`, [[late!.id, early!.id]]);
      expect(positions.map((e) => e.entity_id)).toEqual([late!.id, early!.id]); // late has the lower position

      // resuming again from the same cursor repeats nothing new; from the older one, the same events
      expect((await drain('dev-dpo', second.cursor)).events).toEqual([]);
      expect((await drain('dev-dpo', first.cursor)).events.map((e) => e.entityId)).toEqual([late!.id]);
    } finally {
      if (slow.isTransactionActive) await slow.rollbackTransaction();
      await slow.release();
    }
  });

  test("one record's events keep their order even when the earlier transaction id commits later", async () => {
    const { cursor: start } = await drain('dev-dpo', null, 50);
    const cp = await insertCheckpoint(stack.db.checkpoints, { provinceCode: '79', districtCode: null, wardCode: null });
    const b = stack.db.checkpoints.createQueryRunner();
    await b.connect();
    try {
      await b.startTransaction();
      // B gets its transaction id first (a write elsewhere), then A updates the checkpoint and commits
      await b.query(
        `INSERT INTO passage (checkpoint_id, citizen_ref, direction, scanned_at, credential_type, decision,
        recorded_by) VALUES ($1, $2, 'IN', now(), 'PERSONAL_QR', 'ALLOWED', 'test')`,
        [cp.id, testCitizenRef(920)],
      );
      await stack.db.checkpoints.query(`UPDATE checkpoint SET name = 'first change' WHERE id = $1`, [cp.id]);
      await b.query(`UPDATE checkpoint SET name = 'second change' WHERE id = $1`, [cp.id]);
      await b.commitTransaction();
    } finally {
      await b.release();
    }
    const { events: feed } = await drain('dev-dpo', start, 3);
    const updates = feed.filter((e) => e.entityId === cp.id && e.kind === 'UPDATED');
    expect(updates).toHaveLength(2);
    const rows = await events('checkpoints', `entity_id = $1 AND change_kind = 'UPDATED'`, [cp.id]);
    expect(updates.map((e) => e.id)).toEqual(rows.map((r) => r.id));
    const txids = (await stack.db.checkpoints.query(
      `SELECT txid::text FROM outbox_event WHERE entity_id = $1 AND change_kind = 'UPDATED' ORDER BY position`,
      [cp.id],
    )) as { txid: string }[];
    // the second change's transaction id is the smaller one: ordering by transaction id would invert them
    expect(BigInt(txids[1]!.txid)).toBeLessThan(BigInt(txids[0]!.txid));
  });
});

test("every subgraph's own database holds its outbox, with events", async () => {
  for (const name of SUBGRAPHS) {
    expect(await countRows(stack.db[name], `SELECT count(*) AS n FROM outbox_event`)).toBeGreaterThan(0);
  }
});
