import { useSubgraph, type GraphQLResponse } from '../subgraph-client';
import { importOfficialUnitLists } from '../unit-lists';

const ADMIN = { subject: 'dev-centre-admin', roles: ['centre_admin'] };
const ANALYST = { subject: 'dev-analyst', roles: ['analyst'] };
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

const subgraph = useSubgraph('organisations', { prepare: importOfficialUnitLists });

const userId = async (subject: string): Promise<string> =>
  (await subgraph.dataSource.query(`SELECT id FROM app_user WHERE subject = $1`, [subject]))[0].id;
const count = async (table: string): Promise<number> =>
  (await subgraph.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n;

function expectError(res: GraphQLResponse<unknown>, code: string, field?: string, message?: RegExp): void {
  expect(res.body.errors).toHaveLength(1);
  const error = res.body.errors![0]!;
  expect(error.extensions?.code).toBe(code);
  if (field) {
    expect(error.extensions?.field).toBe(field);
    expect(error.message.startsWith(`${field}: `) || code !== 'BAD_USER_INPUT').toBe(true);
  }
  if (message) expect(error.message).toMatch(message);
  expect(error.message).not.toMatch(/SELECT|INSERT|UPDATE|relation|violates|at .*\.ts/);
}

/** Runs a failing call and checks it wrote nothing to `table`. */
async function expectNothingWritten(table: string, call: () => Promise<void>): Promise<void> {
  const before = await count(table);
  await call();
  expect(await count(table)).toBe(before);
}

const GRANT = `mutation($input: GrantRoleInput!) {
  grantRole(input: $input) {
    id role national includeDescendants validFrom validTo grantedBy grantedAt active
    jurisdiction { code name } user { subject }
  }
}`;
const REVOKE = `mutation($id: ID!, $reason: String!) {
  revokeRole(grantId: $id, reason: $reason) { id active revokedBy revokedAt revokeReason }
}`;

describe('grantRole', () => {
  test('grants a role over a jurisdiction and records who granted it', async () => {
    const res = await subgraph.query<{ grantRole: Record<string, unknown> }>(GRANT, {
      principal: ADMIN,
      variables: {
        input: { userId: await userId('dev-analyst'), role: 'HOTLINE_OPERATOR', jurisdictionUnitCode: '79' },
      },
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.grantRole).toMatchObject({
      role: 'HOTLINE_OPERATOR',
      national: false,
      includeDescendants: true,
      validTo: null,
      grantedBy: 'dev-centre-admin',
      active: true,
      jurisdiction: { code: '79', name: 'Thành phố Hồ Chí Minh' },
      user: { subject: 'dev-analyst' },
    });
  });

  test('needs grants:write', async () => {
    await expectNothingWritten('role_grant', async () => {
      const res = await subgraph.query(GRANT, {
        principal: ANALYST,
        variables: { input: { userId: await userId('dev-analyst'), role: 'CENTRE_ADMIN' } },
      });
      expectError(res, 'FORBIDDEN');
      expect(res.body.data).toBeNull();
    });
  });

  test.each([
    ['an unknown user', { userId: UNKNOWN_ID }, 'userId', /no user has this id/],
    ['a malformed user id', { userId: 'someone' }, 'userId', /no user has this id/],
    ['an unknown unit', { jurisdictionUnitCode: '99' }, 'jurisdictionUnitCode', /in force on/],
    [
      'a unit abolished before validFrom',
      { jurisdictionUnitCode: '001', validFrom: '2026-01-01T00:00:00Z' },
      'jurisdictionUnitCode',
      /in force on 2026-01-01/,
    ],
    [
      'a unit not yet listed on validFrom',
      { jurisdictionUnitCode: '001', validFrom: '2025-01-01T00:00:00Z' },
      'jurisdictionUnitCode',
      /in force on 2025-01-01/,
    ],
    [
      'validTo before validFrom',
      { validFrom: '2026-01-01T00:00:00Z', validTo: '2025-12-31T00:00:00Z' },
      'validTo',
      /must be after validFrom/,
    ],
    [
      'validTo equal to validFrom',
      { validFrom: '2026-01-01T00:00:00Z', validTo: '2026-01-01T00:00:00Z' },
      'validTo',
      /after/,
    ],
  ])('refuses %s (BAD_USER_INPUT naming the field), writing nothing', async (_, patch, field, message) => {
    const input = { userId: await userId('dev-dpo'), role: 'ANALYST', ...patch };
    await expectNothingWritten('role_grant', async () => {
      expectError(
        await subgraph.query(GRANT, { principal: ADMIN, variables: { input } }),
        'BAD_USER_INPUT',
        field,
        message,
      );
    });
  });

  test('a district valid on validFrom is accepted (validated against the list in force then)', async () => {
    const res = await subgraph.query<{ grantRole: { jurisdiction: { code: string } } }>(GRANT, {
      principal: ADMIN,
      variables: {
        input: {
          userId: await userId('dev-dpo'),
          role: 'CHECKPOINT_OFFICER',
          jurisdictionUnitCode: '001',
          validFrom: '2025-04-01T00:00:00+07:00',
          validTo: '2025-06-01T00:00:00+07:00',
        },
      },
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.grantRole.jurisdiction.code).toBe('001');
  });

  test('an overlapping grant of the same role and jurisdiction is a CONFLICT; an adjacent one is not', async () => {
    const base = { userId: await userId('dev-health-79'), role: 'ANALYST', jurisdictionUnitCode: '79' };
    const first = await subgraph.query(GRANT, {
      principal: ADMIN,
      variables: { input: { ...base, validFrom: '2026-01-01T00:00:00Z', validTo: '2026-02-01T00:00:00Z' } },
    });
    expect(first.body.errors).toBeUndefined();
    await expectNothingWritten('role_grant', async () => {
      const overlap = await subgraph.query(GRANT, {
        principal: ADMIN,
        variables: { input: { ...base, validFrom: '2026-01-31T00:00:00Z' } },
      });
      expectError(overlap, 'CONFLICT', undefined, /overlapping validity/);
    });
    const adjacent = await subgraph.query(GRANT, {
      principal: ADMIN,
      variables: { input: { ...base, validFrom: '2026-02-01T00:00:00Z', validTo: '2026-03-01T00:00:00Z' } },
    });
    expect(adjacent.body.errors).toBeUndefined();
    const national = await subgraph.query(GRANT, {
      principal: ADMIN,
      variables: { input: { ...base, jurisdictionUnitCode: null, validFrom: '2026-01-15T00:00:00Z' } },
    });
    expect(national.body.errors).toBeUndefined(); // another jurisdiction
  });

  test('concurrent identical grants create exactly one', async () => {
    const input = { userId: await userId('dev-hotline-01'), role: 'ANALYST', jurisdictionUnitCode: '01' };
    const results = await Promise.all(
      Array.from({ length: 6 }, () => subgraph.query(GRANT, { principal: ADMIN, variables: { input } })),
    );
    expect(results.filter((r) => !r.body.errors)).toHaveLength(1);
    for (const r of results.filter((x) => x.body.errors)) expectError(r, 'CONFLICT', undefined, /overlapping validity/);
    const rows = await subgraph.dataSource.query(
      `SELECT count(*)::int AS n FROM role_grant WHERE user_id = $1 AND role = 'analyst' AND jurisdiction_code = '01'`,
      [input.userId],
    );
    expect(rows[0].n).toBe(1);
  });
});

describe('revokeRole', () => {
  test('revokes once, records who and why; a second revoke is a CONFLICT', async () => {
    const granted = await subgraph.query<{ grantRole: { id: string } }>(GRANT, {
      principal: ADMIN,
      variables: { input: { userId: await userId('dev-checkpoint-01'), role: 'ANALYST' } },
    });
    const id = granted.body.data!.grantRole.id;
    const res = await subgraph.query<{ revokeRole: Record<string, unknown> }>(REVOKE, {
      principal: ADMIN,
      variables: { id, reason: 'Left the checkpoint team' },
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.revokeRole).toMatchObject({
      id,
      active: false,
      revokedBy: 'dev-centre-admin',
      revokedAt: expect.any(String),
      revokeReason: 'Left the checkpoint team',
    });
    expectError(
      await subgraph.query(REVOKE, { principal: ADMIN, variables: { id, reason: 'again' } }),
      'CONFLICT',
      'grantId',
      /already revoked/,
    );
    // Once revoked, the same role can be granted again.
    const regrant = await subgraph.query(GRANT, {
      principal: ADMIN,
      variables: { input: { userId: await userId('dev-checkpoint-01'), role: 'ANALYST' } },
    });
    expect(regrant.body.errors).toBeUndefined();
  });

  test('unknown grants are NOT_FOUND; the reason is required and bounded', async () => {
    expectError(
      await subgraph.query(REVOKE, { principal: ADMIN, variables: { id: UNKNOWN_ID, reason: 'x' } }),
      'NOT_FOUND',
    );
    expectError(
      await subgraph.query(REVOKE, { principal: ADMIN, variables: { id: 'nope', reason: 'x' } }),
      'NOT_FOUND',
    );
    const [grant] = await subgraph.dataSource.query(`SELECT id FROM role_grant WHERE revoked_at IS NULL LIMIT 1`);
    expectError(
      await subgraph.query(REVOKE, { principal: ADMIN, variables: { id: grant.id, reason: '   ' } }),
      'BAD_USER_INPUT',
      'reason',
      /must not be empty/,
    );
    expectError(
      await subgraph.query(REVOKE, { principal: ADMIN, variables: { id: grant.id, reason: 'x'.repeat(501) } }),
      'BAD_USER_INPUT',
      'reason',
      /at most 500/,
    );
    const [after] = await subgraph.dataSource.query(`SELECT revoked_at FROM role_grant WHERE id = $1`, [grant.id]);
    expect(after.revoked_at).toBeNull();
    expectError(
      await subgraph.query(REVOKE, { principal: ANALYST, variables: { id: grant.id, reason: 'x' } }),
      'FORBIDDEN',
    );
  });
});

const REGISTER_ORG = `mutation($input: RegisterOrganisationInput!) {
  registerOrganisation(input: $input) { code name shortName kind parent { code } membership { id } }
}`;
const ADD_MEMBER = `mutation($input: AddCentreMemberInput!) {
  addCentreMember(input: $input) {
    id role responsibility decisionReference validFrom validTo active createdBy endedBy endedAt organisation { code }
  }
}`;
const END_MEMBER = `mutation($id: ID!, $validTo: Date!) {
  endCentreMembership(id: $id, validTo: $validTo) { id validTo active endedBy endedAt }
}`;

describe('organisations and centre memberships', () => {
  const member = {
    organisationCode: 'VNPT-IT',
    role: 'MEMBER',
    responsibility: 'Provides telecommunications data for contact tracing.',
    decisionReference: 'Decision 999/QD-TEST (2021)',
    validFrom: '2021-03-01',
  };

  test('registerOrganisation registers with a parent; bad codes, unknown parents and duplicates are refused', async () => {
    const res = await subgraph.query(REGISTER_ORG, {
      principal: ADMIN,
      variables: { input: { code: 'VNPT-IT', name: 'VNPT-IT', kind: 'STATE_ENTERPRISE', parentCode: 'MIC' } },
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toEqual({
      registerOrganisation: {
        code: 'VNPT-IT',
        name: 'VNPT-IT',
        shortName: null,
        kind: 'STATE_ENTERPRISE',
        parent: { code: 'MIC' },
        membership: null,
      },
    });
    await expectNothingWritten('organisation', async () => {
      const bad = (input: Record<string, unknown>) =>
        subgraph.query(REGISTER_ORG, {
          principal: ADMIN,
          variables: { input: { name: 'X', kind: 'OTHER', ...input } },
        });
      expectError(await bad({ code: 'lower case' }), 'BAD_USER_INPUT', 'code');
      expectError(await bad({ code: 'NEW-ORG', parentCode: 'NOPE' }), 'BAD_USER_INPUT', 'parentCode');
      expectError(await bad({ code: 'NEW-ORG', name: ' ' }), 'BAD_USER_INPUT', 'name');
      expectError(await bad({ code: 'VNPT-IT' }), 'CONFLICT', 'code');
      expectError(
        await subgraph.query(REGISTER_ORG, {
          principal: ANALYST,
          variables: { input: { code: 'NEW-ORG', name: 'X', kind: 'OTHER' } },
        }),
        'FORBIDDEN',
      );
    });
  });

  let membershipId: string;

  test('addCentreMember records the decision and who created it', async () => {
    const res = await subgraph.query<{ addCentreMember: Record<string, unknown> & { id: string } }>(ADD_MEMBER, {
      principal: ADMIN,
      variables: { input: { ...member, validTo: '2030-12-31' } },
    });
    expect(res.body.errors).toBeUndefined();
    const { organisationCode: _, ...fields } = member;
    expect(res.body.data?.addCentreMember).toMatchObject({
      ...fields,
      validTo: '2030-12-31',
      active: true,
      createdBy: 'dev-centre-admin',
      endedBy: null,
      endedAt: null,
      organisation: { code: 'VNPT-IT' },
    });
    membershipId = res.body.data!.addCentreMember.id;
  });

  test.each([
    ['an unknown organisation', { organisationCode: 'NOPE' }, 'BAD_USER_INPUT', 'organisationCode'],
    ['validTo before validFrom', { organisationCode: 'BKAV', validTo: '2021-02-28' }, 'BAD_USER_INPUT', 'validTo'],
    ['an empty responsibility', { organisationCode: 'BKAV', responsibility: '' }, 'BAD_USER_INPUT', 'responsibility'],
    [
      'a responsibility too long',
      { organisationCode: 'BKAV', responsibility: 'x'.repeat(1001) },
      'BAD_USER_INPUT',
      'responsibility',
    ],
    [
      'a decision reference too long',
      { organisationCode: 'BKAV', decisionReference: 'x'.repeat(201) },
      'BAD_USER_INPUT',
      'decisionReference',
    ],
    ['an overlapping membership', { validFrom: '2030-12-31' }, 'CONFLICT', 'validFrom'],
    ['an overlap with a founding membership', { organisationCode: 'BKAV' }, 'CONFLICT', 'validFrom'],
  ])('addCentreMember refuses %s, writing nothing', async (_, patch, code, field) => {
    await expectNothingWritten('centre_membership', async () => {
      const res = await subgraph.query(ADD_MEMBER, { principal: ADMIN, variables: { input: { ...member, ...patch } } });
      expectError(res, code, field, code === 'CONFLICT' ? /overlapping validity/ : undefined);
    });
  });

  test('endCentreMembership ends once; bad dates and unknown ids are refused', async () => {
    await expectNothingWritten('centre_membership WHERE ended_at IS NOT NULL', async () => {
      expectError(
        await subgraph.query(END_MEMBER, { principal: ADMIN, variables: { id: membershipId, validTo: '2021-02-28' } }),
        'BAD_USER_INPUT',
        'validTo',
        /validFrom/,
      );
      expectError(
        await subgraph.query(END_MEMBER, { principal: ADMIN, variables: { id: membershipId, validTo: '2031-01-01' } }),
        'BAD_USER_INPUT',
        'validTo',
        /current end/,
      );
      expectError(
        await subgraph.query(END_MEMBER, { principal: ADMIN, variables: { id: UNKNOWN_ID, validTo: '2022-01-01' } }),
        'NOT_FOUND',
      );
      expectError(
        await subgraph.query(END_MEMBER, {
          principal: ANALYST,
          variables: { id: membershipId, validTo: '2022-01-01' },
        }),
        'FORBIDDEN',
      );
    });
    const ended = await subgraph.query<{ endCentreMembership: Record<string, unknown> }>(END_MEMBER, {
      principal: ADMIN,
      variables: { id: membershipId, validTo: '2022-06-30' },
    });
    expect(ended.body.errors).toBeUndefined();
    expect(ended.body.data?.endCentreMembership).toMatchObject({
      validTo: '2022-06-30',
      active: false,
      endedBy: 'dev-centre-admin',
      endedAt: expect.any(String),
    });
    expectError(
      await subgraph.query(END_MEMBER, { principal: ADMIN, variables: { id: membershipId, validTo: '2022-06-30' } }),
      'CONFLICT',
      'id',
      /already ended/,
    );
    // The ended period no longer blocks a new membership after it.
    const again = await subgraph.query(ADD_MEMBER, {
      principal: ADMIN,
      variables: { input: { ...member, validFrom: '2022-07-01' } },
    });
    expect(again.body.errors).toBeUndefined();
  });
});

const REGISTER_USER = `mutation($input: RegisterUserInput!) {
  registerUser(input: $input) { id subject kind displayName email phone active createdBy organisation { code } grants { id } }
}`;

describe('registerUser', () => {
  const input = {
    subject: 'oidc|nguyen.thi.lan',
    kind: 'USER',
    displayName: 'Nguyễn Thị Lan',
    organisationCode: 'HN-DOH',
    email: 'Lan.Nguyen@Example.gov.vn',
    phone: '+84 912 345 678',
  };

  test('registers a user with normalised contact details', async () => {
    const res = await subgraph.query(REGISTER_USER, { principal: ADMIN, variables: { input } });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toEqual({
      registerUser: {
        id: expect.any(String),
        subject: 'oidc|nguyen.thi.lan',
        kind: 'USER',
        displayName: 'Nguyễn Thị Lan',
        email: 'lan.nguyen@example.gov.vn',
        phone: '+84912345678',
        active: true,
        createdBy: 'dev-centre-admin',
        organisation: { code: 'HN-DOH' },
        grants: [],
      },
    });
  });

  test.each([
    ['a duplicate subject', {}, 'CONFLICT', 'subject'],
    ['a subject with spaces', { subject: 'two words' }, 'BAD_USER_INPUT', 'subject'],
    ['a malformed email', { subject: 'new-1', email: 'not-an-email' }, 'BAD_USER_INPUT', 'email'],
    ['a malformed phone', { subject: 'new-2', phone: '12ab' }, 'BAD_USER_INPUT', 'phone'],
    ['an unknown organisation', { subject: 'new-3', organisationCode: 'NOPE' }, 'BAD_USER_INPUT', 'organisationCode'],
    ['an empty display name', { subject: 'new-4', displayName: '' }, 'BAD_USER_INPUT', 'displayName'],
  ])('refuses %s, writing nothing and echoing no personal value', async (_, patch, code, field) => {
    await expectNothingWritten('app_user', async () => {
      const res = await subgraph.query(REGISTER_USER, {
        principal: ADMIN,
        variables: { input: { ...input, ...patch } },
      });
      expectError(res, code, field);
      expect(res.body.errors![0]!.message).not.toContain('not-an-email');
      expect(res.body.errors![0]!.message).not.toContain('12ab');
    });
  });

  test('needs grants:write', async () => {
    expectError(
      await subgraph.query(REGISTER_USER, { principal: ANALYST, variables: { input: { ...input, subject: 'new-5' } } }),
      'FORBIDDEN',
    );
  });
});
