import { signInternalToken } from '../../subgraphs/kit/internal-token';
import { SUBGRAPHS } from '../../subgraphs/kit/module';
import { testPrincipal } from '../subgraph-client';
import { TEST_APP_ROLE } from '../pg-env';
import { startStack, type Stack } from '../stack';

/** The read audit (DESIGN §5.6), through the gateway: who read which personal fields of what. */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

interface AuditRow {
  actor: string;
  organisation: string | null;
  client: string | null;
  purpose: string | null;
  entity_type: string;
  entity_id: string;
  fields: string[];
  request_id: string;
  at: Date;
}

const auditRows = async (subgraph: (typeof SUBGRAPHS)[number], requestId?: string): Promise<AuditRow[]> =>
  (await stack.db[subgraph].query(
    `SELECT actor, organisation, client, purpose, entity_type, entity_id, fields, request_id, at FROM audit_record
     ${requestId ? 'WHERE request_id = $1' : ''} ORDER BY id`,
    requestId ? [requestId] : [],
  )) as AuditRow[];

const totalAuditRows = async (): Promise<number> => {
  let n = 0;
  for (const name of SUBGRAPHS) n += (await auditRows(name)).length;
  return n;
};

const USERS = '{ users(first: 3) { edges { node { id subject email phone } } } }';
type Users = { users: { edges: { node: { id: string; subject: string; email: string | null } }[] } };

test('a read of personal fields writes one audit row per entity, with the fields, caller, purpose and request id', async () => {
  const res = await stack.as('dev-centre-admin', { purpose: 'account-review' }).query<Users>(USERS);
  expect(res.body.errors).toBeUndefined();
  const nodes = res.body.data!.users.edges.map((e) => e.node);
  expect(nodes).toHaveLength(3);
  const requestId = res.headers.get('x-request-id');
  expect(requestId).toBeTruthy();

  const rows = await auditRows('organisations', requestId!);
  expect(rows).toHaveLength(3);
  expect(rows.map((r) => r.entity_id).sort()).toEqual(nodes.map((n) => n.id).sort());
  for (const r of rows) {
    expect(r).toMatchObject({
      actor: 'dev-centre-admin',
      organisation: 'MIC-AITA',
      client: 'user',
      purpose: 'account-review',
      entity_type: 'User',
      request_id: requestId,
    });
    // only the personal fields are recorded, each once
    expect([...r.fields].sort()).toEqual(['email', 'phone']);
    expect(r.at).toBeInstanceOf(Date);
  }
});

test('without a declared purpose the row records none', async () => {
  const res = await stack
    .as('dev-centre-admin')
    .query<{ user: { email: string } }>(`{ users(first: 1) { edges { node { email } } } }`);
  expect(res.body.errors).toBeUndefined();
  const rows = await auditRows('organisations', res.headers.get('x-request-id')!);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ purpose: null, fields: ['email'], entity_type: 'User' });
});

test('operational-only reads write nothing', async () => {
  const before = await totalAuditRows();
  const res = await stack
    .as('dev-centre-admin', { purpose: 'account-review' })
    .query(
      '{ administrativeUnit(code: "79") { code name } organisations { code name } users(first: 3) { edges { node { id subject displayName } } } }',
    );
  expect(res.body.errors).toBeUndefined();
  expect(await totalAuditRows()).toBe(before);
});

test('a field the caller may not read is not audited', async () => {
  const before = await totalAuditRows();
  // dev-dpo reads users but holds no pii:read: email is removed (FORBIDDEN), nothing personal is read
  const res = await stack.as('dev-dpo').query(USERS);
  expect(res.body.errors?.every((e) => e.extensions?.code === 'FORBIDDEN')).toBe(true);
  expect(await totalAuditRows()).toBe(before);
});

test('concurrent reads are each audited under their own request id (their records may share one insert)', async () => {
  // distinct documents (aliases), so the gateway shares no subgraph call between them
  const responses = await Promise.all(
    Array.from({ length: 24 }, (_, i) =>
      stack
        .as('dev-centre-admin', { purpose: `review-${i}` })
        .query<Record<string, Users['users']>>(
          `{ u${i}: users(first: 3) { edges { node { id subject email phone } } } }`,
        ),
    ),
  );
  for (const [i, res] of responses.entries()) {
    expect(res.body.errors).toBeUndefined();
    const rows = await auditRows('organisations', res.headers.get('x-request-id')!);
    expect(rows.map((r) => r.entity_id).sort()).toEqual(res.body.data![`u${i}`]!.edges.map((e) => e.node.id).sort());
    expect(new Set(rows.map((r) => r.purpose))).toEqual(new Set([`review-${i}`]));
  }
});

describe('when the audit write fails', () => {
  beforeAll(async () => {
    await stack.db.organisations.query(`REVOKE INSERT ON audit_record FROM ${TEST_APP_ROLE}`);
  });
  afterAll(async () => {
    await stack.db.organisations.query(`GRANT INSERT ON audit_record TO ${TEST_APP_ROLE}`);
  });

  test('the read fails: no personal data leaves, through the gateway', async () => {
    const emails = (
      (await stack.db.organisations.query(`SELECT email FROM app_user WHERE email IS NOT NULL`)) as { email: string }[]
    ).map((r) => r.email);
    expect(emails.length).toBeGreaterThan(0);
    const res = await stack.as('dev-centre-admin', { purpose: 'account-review' }).query<Users>(USERS);
    expect(res.body.data?.users ?? null).toBeNull();
    expect(res.body.errors?.length).toBeGreaterThan(0);
    const text = JSON.stringify(res.body);
    for (const email of emails) expect(text).not.toContain(email);
    expect(text).not.toMatch(/permission denied|audit_record/i);
    expect(await auditRows('organisations', res.headers.get('x-request-id')!)).toEqual([]);
  });

  test('the subgraph answers a masked error and no data at all', async () => {
    const principal = testPrincipal({ subject: 'dev-centre-admin', roles: ['centre_admin'] });
    const token = await signInternalToken(stack.internal.signing, principal, 'organisations');
    const res = await fetch(stack.subgraphUrls.organisations, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: USERS }),
    });
    const body = (await res.json()) as { data?: unknown; errors: { message: string; extensions: object }[] };
    expect(body).not.toHaveProperty('data');
    expect(body.errors).toEqual([
      {
        message: 'Internal server error',
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: principal.requestId },
      },
    ]);
  });

  test('operational reads still work', async () => {
    const res = await stack.as('dev-centre-admin').query<{ organisations: unknown[] }>('{ organisations { code } }');
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.organisations.length).toBeGreaterThan(0);
  });
});
