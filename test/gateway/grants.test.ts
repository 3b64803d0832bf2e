import { startStack, type Stack } from '../stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ principalCacheMs: 0 });
});
afterAll(async () => {
  await stack.stop();
});

const DECLARATION = '{ declaration(id: "00000000-0000-4000-8000-000000000001") { id } }';

async function userId(subject: string): Promise<string> {
  const res = await stack
    .as('dev-centre-admin')
    .query<{ users: { edges: { node: { id: string; subject: string } }[] } }>(
      '{ users(first: 100) { edges { node { id subject } } } }',
    );
  const node = res.body.data!.users.edges.find((e) => e.node.subject === subject)?.node;
  if (!node) throw new Error(`no seeded user ${subject}`);
  return node.id;
}

test('a grant made through the gateway records who made it, widens the grantee at once, and a revocation narrows it again', async () => {
  // The analyst may not read declarations.
  const before = await stack.as('dev-analyst').query(DECLARATION);
  expect(before.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

  const granted = await stack.as('dev-centre-admin').query<{
    grantRole: { id: string; role: string; grantedBy: string; grantedAt: string; jurisdiction: { code: string } };
  }>(
    `mutation($u: ID!) { grantRole(input: { userId: $u, role: HEALTH_OFFICIAL, jurisdictionUnitCode: "79" }) {
        id role grantedBy grantedAt jurisdiction { code }
    } }`,
    { u: await userId('dev-analyst') },
  );
  expect(granted.body.errors).toBeUndefined();
  const grant = granted.body.data!.grantRole;
  expect(grant).toMatchObject({ role: 'HEALTH_OFFICIAL', grantedBy: 'dev-centre-admin', jurisdiction: { code: '79' } });
  expect(Math.abs(Date.parse(grant.grantedAt) - Date.now())).toBeLessThan(60_000);

  const widened = await stack.as('dev-analyst').query<{ declaration: null }>(DECLARATION);
  expect(widened.body.errors).toBeUndefined();
  expect(widened.body.data).toEqual({ declaration: null });

  const revoked = await stack
    .as('dev-centre-admin')
    .query<{ revokeRole: { revokedBy: string; active: boolean } }>(
      `mutation($g: ID!) { revokeRole(grantId: $g, reason: "temporary cover ended") { revokedBy active } }`,
      { g: grant.id },
    );
  expect(revoked.body.data!.revokeRole).toEqual({ revokedBy: 'dev-centre-admin', active: false });

  const narrowed = await stack.as('dev-analyst').query(DECLARATION);
  expect(narrowed.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
});

test('a caller without grants:write cannot grant, and nothing is written', async () => {
  const res = await stack
    .as('dev-health-01')
    .query(`mutation($u: ID!) { grantRole(input: { userId: $u, role: CENTRE_ADMIN }) { id } }`, {
      u: await userId('dev-health-01'),
    });
  expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  const [{ count }] = (await stack.db.organisations.query(
    `SELECT count(*)::int AS count FROM role_grant WHERE role = 'centre_admin'`,
  )) as { count: number }[];
  expect(count).toBe(1); // only the seeded dev-centre-admin grant
});

test('bad input through the gateway names the field and the rule', async () => {
  const res = await stack
    .as('dev-centre-admin')
    .query(`mutation($u: ID!) { grantRole(input: { userId: $u, role: ANALYST, jurisdictionUnitCode: "99" }) { id } }`, {
      u: await userId('dev-analyst'),
    });
  expect(res.status).toBe(200);
  expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'jurisdictionUnitCode' });
  expect(res.body.errors?.[0]?.message).toMatch(/^jurisdictionUnitCode: /);
});
