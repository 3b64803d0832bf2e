import { randomBytes } from 'node:crypto';
import { createLocalJWKSet } from 'jose';
import type { DataSource } from 'typeorm';
import { createAccessTokenVerifier } from '../gateway/auth';
import { DEV_AUDIENCE, DEV_ISSUER, issueToken } from '../gateway/dev-issuer';
import { createGatewayServer, type GatewayServer } from '../gateway/server';
import { DEMO_PEOPLE } from '../subgraphs/kit/demo';
import { listen, type Listening } from '../subgraphs/kit/http';
import { createInternalTokenVerifier } from '../subgraphs/kit/internal-token';
import { silentLogger } from '../subgraphs/kit/logger';
import { SUBGRAPHS, type SubgraphName } from '../subgraphs/kit/module';
import { schemaFile } from '../subgraphs/kit/paths';
import { citizenRef, upgradeRef, type PseudonymKey } from '../subgraphs/kit/pseudonym';
import { countStaleRefs, REF_COLUMNS, rekeySubgraph, type RekeyResult } from '../subgraphs/kit/rekey';
import { createSubgraphServer, type SubgraphServer } from '../subgraphs/kit/server';
import { MODULES } from '../subgraphs/registry';
import { TEST_PSEUDONYM_KEY, testCitizenDocumentNumber } from './factories/citizens';
import { submitInput } from './factories/declarations';
import { startStack, type GraphQLResponse, type Stack } from './stack';

/*
 * The re-keying procedure (docs/KEYS.md) on the demo data set of every subgraph: a key is added to
 * the ring, every database is re-keyed, the services restart with the new ring, and the graph
 * still joins each person's records — under refs of the new version only.
 */

const OLD = TEST_PSEUDONYM_KEY; // t1: what the stack seeded and served with
const RING: PseudonymKey = { version: 't2', secret: randomBytes(32), earlier: [OLD] };

const PERSON = DEMO_PEOPLE[0]!; // Hà Nội, declarations + journeys + passages + feedback
const DOC = { type: 'CCCD' as const, number: PERSON.documentNumber };
const OLD_REF = citizenRef(DOC, OLD);
const NEW_REF = citizenRef(DOC, RING);
/** A ref of a version neither ring has (written by a service with a newer ring): left alone. */
const ALIEN_REF = `zz.${'A'.repeat(43)}`;

/** Every stored ref column, listed here independently of kit/rekey.ts. */
const COLUMNS: Record<SubgraphName, { table: string; column: string; array?: boolean; where?: string }[]> = (() => {
  const audit = [
    { table: 'audit_record', column: 'subject_refs', array: true },
    {
      table: 'audit_record',
      column: 'entity_id',
      where: `entity_type IN ('Citizen', 'CitizenAccessLog', 'CitizenRecords')`,
    },
  ];
  return {
    organisations: audit,
    declarations: [
      { table: 'citizen', column: 'ref' },
      { table: 'identity_snapshot', column: 'citizen_ref' },
      { table: 'health_declaration', column: 'citizen_ref' },
      { table: 'monitoring_period', column: 'citizen_ref' },
      ...audit,
    ],
    movement: [
      { table: 'movement_declaration', column: 'citizen_ref' },
      { table: 'movement_declaration', column: 'companion_refs', array: true },
      ...audit,
    ],
    checkpoints: [{ table: 'passage', column: 'citizen_ref' }, ...audit],
    feedback: [{ table: 'feedback', column: 'reporter_ref' }, { table: 'feedback', column: 'reported_ref' }, ...audit],
  };
})();

/** Every ref stored in a subgraph's database, by column. */
async function storedRefs(ds: DataSource, name: SubgraphName): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const c of COLUMNS[name]) {
    const where = c.where ? `WHERE ${c.where}` : '';
    const rows = (await ds.query(
      c.array
        ? `SELECT r AS ref FROM ${c.table}, unnest(${c.column}) AS r ${where}`
        : `SELECT ${c.column} AS ref FROM ${c.table} ${where ? `${where} AND` : 'WHERE'} ${c.column} IS NOT NULL`,
    )) as { ref: string }[];
    out.set(
      `${c.table}.${c.column}`,
      rows.map((r) => r.ref),
    );
  }
  return out;
}

const TIMELINE = `query($type: DocumentType!, $number: String!) {
  citizenByDocument(type: $type, number: $number) {
    ref
    identity { fullName }
    declarations { kind submittedAt }
    movements { id conveyanceId passages { id } }
    passages { id scannedAt checkpoint { name } movementDeclaration { id } }
  }
}`;
const BY_REF = `query($ref: ID!) {
  citizen(ref: $ref) {
    ref
    identity { fullName }
    declarations { submittedAt }
    movements { id }
    passages { id }
  }
}`;
const FEEDBACK = `{ feedbackList(first: 200) { edges { node { id reporter { kind citizen { ref } } reportedPerson { ref } } } } }`;

interface Timeline {
  ref: string;
  identity: { fullName: string } | null;
  declarations: { kind: string; submittedAt: string }[];
  movements: { id: string; conveyanceId: string; passages: { id: string }[] }[];
  passages: {
    id: string;
    scannedAt: string;
    checkpoint: { name: string };
    movementDeclaration: { id: string } | null;
  }[];
}
interface FeedbackList {
  feedbackList: {
    edges: {
      node: {
        id: string;
        reporter: { kind: string; citizen: { ref: string } | null };
        reportedPerson: { ref: string } | null;
      };
    }[];
  };
}

/** The subgraphs and gateway after the restart: the same databases, the new ring. */
interface Restarted {
  gateway: GatewayServer;
  gw: Listening;
  servers: { server: SubgraphServer; listening: Listening }[];
  query<T>(subject: string, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  stop(): Promise<void>;
}

async function restartWith(stack: Stack, key: PseudonymKey): Promise<Restarted> {
  const log = silentLogger();
  const servers: Restarted['servers'] = [];
  const urls = {} as Record<SubgraphName, string>;
  for (const name of SUBGRAPHS) {
    await stack.stopSubgraph(name); // the old process goes away…
    const server = await createSubgraphServer({
      name,
      resolvers: MODULES[name].resolvers,
      dataSource: stack.appDb[name], // …and its successor serves the same database with the new ring
      verifyToken: createInternalTokenVerifier(createLocalJWKSet(stack.internal.jwks), name),
      logger: log,
      pseudonymKey: key,
    });
    server.markReady();
    const listening = await listen(server.handler, 0, '127.0.0.1');
    servers.push({ server, listening });
    urls[name] = `${listening.url}/graphql`;
  }
  const gateway = await createGatewayServer({
    mode: 'test',
    supergraphPath: schemaFile('supergraph.graphql'),
    supergraphPollMs: 50,
    subgraphUrls: urls,
    introspection: true,
    landingPage: false,
    principalCacheMs: 0,
    verifyAccessToken: createAccessTokenVerifier({
      keys: createLocalJWKSet(stack.issuer.jwks),
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      clockToleranceSeconds: 5,
    }),
    internalKey: stack.internal.signing,
    internalJwks: stack.internal.jwks,
    logger: log,
  });
  const gw = await listen(gateway.handler, 0, '127.0.0.1');
  return {
    gateway,
    gw,
    servers,
    query: async <T>(subject: string, query: string, variables?: Record<string, unknown>) => {
      const token = await issueToken(stack.issuer.signing, subject);
      const res = await fetch(`${gw.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': 'rekey test' },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, headers: res.headers, body: (await res.json()) as GraphQLResponse<T>['body'] };
    },
    stop: async () => {
      await gw.close(0);
      await gateway.stop();
      for (const s of servers) {
        await s.listening.close(0);
        await s.server.stop();
      }
    },
  };
}

let stack: Stack;
let restarted: Restarted | undefined;
beforeAll(async () => {
  stack = await startStack({ demo: true });
});
afterAll(async () => {
  await restarted?.stop();
  await stack.stop();
});

const before: {
  timeline?: Timeline;
  feedback?: FeedbackList['feedbackList']['edges'];
  refs?: Record<string, Map<string, string[]>>;
} = {};
const firstRun = {} as Record<SubgraphName, RekeyResult>;

test('every stored ref column is known to the re-keying (and to this test)', async () => {
  for (const name of SUBGRAPHS) {
    const rows = (await stack.db[name].query(
      `SELECT table_name || '.' || column_name AS c FROM information_schema.columns
        WHERE table_schema = current_schema() AND column_name ~ '(^|_)refs?$' AND table_name <> 'migrations'`,
    )) as { c: string }[];
    const listed = COLUMNS[name].map((c) => `${c.table}.${c.column}`);
    for (const { c } of rows)
      expect({ subgraph: name, column: c, listed: listed.includes(c) }).toMatchObject({ listed: true });
    // the kit's list, with the columns referencing its key columns, is the same set
    const kit = REF_COLUMNS[name].map((c) => `${c.table}.${c.column}`);
    const stale = await countStaleRefs(stack.db[name], name, RING);
    expect(new Set(stale.map((s) => `${s.table}.${s.column}`))).toEqual(new Set(listed));
    expect(listed).toEqual(expect.arrayContaining(kit));
  }
});

test('before: the demo person’s timeline and feedback under t1 refs, with audit rows naming them', async () => {
  const res = await stack
    .as('dev-health-01', { purpose: 'rekey test' })
    .query<{ citizenByDocument: Timeline }>(TIMELINE, {
      type: 'CCCD',
      number: PERSON.documentNumber,
    });
  expect(res.body.errors).toBeUndefined();
  const t = res.body.data!.citizenByDocument;
  expect(t.ref).toBe(OLD_REF);
  expect(t.declarations.length).toBeGreaterThan(0);
  expect(t.movements.length).toBeGreaterThan(0);
  expect(t.passages.length).toBeGreaterThan(0);
  before.timeline = t;

  const fb = await stack.as('dev-hotline-01', { purpose: 'rekey test' }).query<FeedbackList>(FEEDBACK);
  expect(fb.body.errors).toBeUndefined();
  before.feedback = fb.body.data!.feedbackList.edges;
  expect(before.feedback.some((e) => e.node.reporter.citizen)).toBe(true);

  // an audit row in every subgraph naming the person (organisations has no person reads of its own)
  for (const name of SUBGRAPHS) {
    await stack.db[name].query(
      `INSERT INTO audit_record (actor, entity_type, entity_id, fields, request_id, subject_refs)
       VALUES ('rekey-test', 'Citizen', $1, '{ref}', 'rekey-test', $2)`,
      [OLD_REF, [OLD_REF, citizenRef({ type: 'CCCD', number: DEMO_PEOPLE[1]!.documentNumber }, OLD)]],
    );
  }
  // …and one ref of a version no ring here has, which re-keying must leave alone and report
  await stack.db.organisations.query(
    `INSERT INTO audit_record (actor, entity_type, entity_id, fields, request_id, subject_refs)
     VALUES ('rekey-test', 'Citizen', $1, '{ref}', 'rekey-test-alien', $2)`,
    [ALIEN_REF, [ALIEN_REF]],
  );
  // a write between the restart and the re-keying: the person already has a row under the new ref
  await stack.db.declarations.query(`INSERT INTO citizen (ref) VALUES ($1)`, [NEW_REF]);

  before.refs = {};
  for (const name of SUBGRAPHS) {
    const refs = await storedRefs(stack.db[name], name);
    before.refs[name] = refs;
    const all = [...refs.values()].flat();
    expect(all.filter((r) => r.startsWith('t1.')).length).toBeGreaterThan(0);
  }
  // the reads above were audited with the person's ref in the subgraphs holding their records
  for (const name of ['declarations', 'movement', 'checkpoints'] as const) {
    const [{ n }] = (await stack.db[name].query(
      `SELECT count(*)::int AS n FROM audit_record WHERE subject_refs @> $1::text[] AND actor <> 'rekey-test'`,
      [[OLD_REF]],
    )) as [{ n: number }];
    expect({ name, n }).toEqual({ name, n: expect.any(Number) });
    expect(n).toBeGreaterThan(0);
  }
});

test('a run interrupted midway is resumed by running it again', async () => {
  const stale0 = (await countStaleRefs(stack.db.movement, 'movement', RING)).reduce((n, c) => n + c.stale, 0);
  expect(stale0).toBeGreaterThan(2);
  let batches = 0;
  await expect(
    rekeySubgraph(stack.db.movement, 'movement', RING, {
      batchSize: 2,
      onBatch: () => {
        batches += 1;
        if (batches === 2) throw new Error('crash');
      },
    }),
  ).rejects.toThrow('crash');
  const stale1 = (await countStaleRefs(stack.db.movement, 'movement', RING)).reduce((n, c) => n + c.stale, 0);
  expect(stale1).toBeGreaterThan(0);
  expect(stale1).toBeLessThan(stale0);
});

test('re-keying every subgraph database rewrites every t1 ref, with counts per column and no refs', async () => {
  for (const name of SUBGRAPHS) {
    firstRun[name] = await rekeySubgraph(stack.db[name], name, RING, { batchSize: 3 });
    expect(JSON.stringify(firstRun[name])).not.toMatch(/t[12]\.[A-Za-z0-9_-]{43}/);
  }
  expect(firstRun.declarations.counts.find((c) => c.table === 'citizen')).toMatchObject({
    rows: DEMO_PEOPLE.length,
    merged: 1,
    unknown: 0,
  });
  for (const table of ['identity_snapshot', 'health_declaration']) {
    expect(firstRun.declarations.counts.find((c) => c.table === table)!.rows).toBeGreaterThan(0);
  }
  expect(firstRun.feedback.counts.find((c) => c.column === 'reporter_ref')!.rows).toBeGreaterThan(0);
  expect(firstRun.checkpoints.counts.find((c) => c.column === 'citizen_ref')!.rows).toBeGreaterThan(0);
  for (const name of SUBGRAPHS) {
    expect(firstRun[name].counts.find((c) => c.column === 'subject_refs')!.rows).toBeGreaterThan(0);
  }
  // the alien ref, in both audit columns, is left alone and reported
  expect(firstRun.organisations.counts.map((c) => [c.column, c.unknown])).toEqual([
    ['subject_refs', 1],
    ['entity_id', 1],
  ]);

  for (const name of SUBGRAPHS) {
    const after = await storedRefs(stack.db[name], name);
    for (const [column, refs] of after) {
      // no ref of the old version anywhere; everything else is of the new one (but the alien ref)
      expect({ name, column, old: refs.filter((r) => r.startsWith('t1.')) }).toEqual({ name, column, old: [] });
      expect(refs.filter((r) => !r.startsWith('t2.'))).toEqual(refs.includes(ALIEN_REF) ? [ALIEN_REF] : []);
      // each old ref became its upgrade, row for row
      const was = before.refs![name]!.get(column)!;
      const expected = was.map((r) => (r === ALIEN_REF ? r : upgradeRef(r, RING)));
      if (column === 'citizen.ref') expected.splice(expected.indexOf(NEW_REF), 1); // the merged pair is one row
      expect([...refs].sort()).toEqual(expected.sort());
    }
  }
  // the merged citizen kept the document the old row had
  const [merged] = (await stack.db.declarations.query(`SELECT document_number FROM citizen WHERE ref = $1`, [
    NEW_REF,
  ])) as { document_number: string | null }[];
  expect(merged?.document_number).toBe(PERSON.documentNumber);
  // the audit rows naming the person name them by the new ref
  for (const name of SUBGRAPHS) {
    const [{ n }] = (await stack.db[name].query(
      `SELECT count(*)::int AS n FROM audit_record
        WHERE subject_refs @> $1::text[] AND entity_id = $2 AND actor = 'rekey-test'`,
      [[NEW_REF], NEW_REF],
    )) as [{ n: number }];
    expect({ name, n }).toEqual({ name, n: 1 });
  }
  for (const name of ['declarations', 'movement', 'checkpoints'] as const) {
    const [{ n }] = (await stack.db[name].query(
      `SELECT count(*)::int AS n FROM audit_record WHERE subject_refs @> $1::text[] AND actor <> 'rekey-test'`,
      [[NEW_REF]],
    )) as [{ n: number }];
    expect(n).toBeGreaterThan(0);
  }
});

test('a second run changes nothing', async () => {
  for (const name of SUBGRAPHS) {
    const snapshot = await storedRefs(stack.db[name], name);
    const again = await rekeySubgraph(stack.db[name], name, RING);
    expect({ name, changed: again.changed }).toEqual({ name, changed: 0 });
    expect(await storedRefs(stack.db[name], name)).toEqual(snapshot);
    const stale = await countStaleRefs(stack.db[name], name, RING);
    expect(stale.reduce((n, c) => n + c.stale, 0)).toBe(0);
  }
});

describe('after the restart with the new ring', () => {
  beforeAll(async () => {
    restarted = await restartWith(stack, RING);
  });

  test('the person’s declarations, journeys and passages still join through the gateway', async () => {
    const res = await restarted!.query<{ citizenByDocument: Timeline }>('dev-health-01', TIMELINE, {
      type: 'CCCD',
      number: PERSON.documentNumber,
    });
    expect(res.body.errors).toBeUndefined();
    const t = res.body.data!.citizenByDocument;
    expect(t.ref).toBe(NEW_REF);
    expect({ ...t, ref: OLD_REF }).toEqual(before.timeline);
  });

  test('a client’s old ref still finds the person (upgraded), answered under the new ref', async () => {
    const res = await restarted!.query<{ citizen: Timeline | null }>('dev-health-01', BY_REF, { ref: OLD_REF });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.citizen).toMatchObject({
      ref: NEW_REF,
      identity: { fullName: PERSON.fullName },
      declarations: before.timeline!.declarations.map((d) => ({ submittedAt: d.submittedAt })),
      movements: before.timeline!.movements.map((m) => ({ id: m.id })),
      passages: before.timeline!.passages.map((p) => ({ id: p.id })),
    });
    const current = await restarted!.query<{ citizen: Timeline | null }>('dev-health-01', BY_REF, { ref: NEW_REF });
    expect(current.body.data).toEqual(res.body.data);
  });

  test('feedback names the same people by their new refs', async () => {
    const fb = await restarted!.query<FeedbackList>('dev-hotline-01', FEEDBACK);
    expect(fb.body.errors).toBeUndefined();
    const upgraded = before.feedback!.map((e) => ({
      node: {
        ...e.node,
        reporter: {
          ...e.node.reporter,
          citizen: e.node.reporter.citizen && { ref: upgradeRef(e.node.reporter.citizen.ref, RING) },
        },
        reportedPerson: e.node.reportedPerson && { ref: upgradeRef(e.node.reportedPerson.ref, RING) },
      },
    }));
    expect(fb.body.data!.feedbackList.edges).toEqual(upgraded);
  });

  test('new writes are of the new version', async () => {
    const res = await restarted!.query<{ submitDeclaration: { id: string } }>(
      'dev-health-01',
      `mutation($input: SubmitDeclarationInput!) { submitDeclaration(input: $input) { id } }`,
      { input: submitInput(9101) },
    );
    expect(res.body.errors).toBeUndefined();
    const rows = (await stack.db.declarations.query(`SELECT citizen_ref AS ref FROM health_declaration WHERE id = $1`, [
      res.body.data!.submitDeclaration.id,
    ])) as { ref: string }[];
    expect(rows).toEqual([{ ref: citizenRef({ type: 'CCCD', number: testCitizenDocumentNumber(9101) }, RING) }]);
  });
});
