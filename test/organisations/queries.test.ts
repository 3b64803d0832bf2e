import { DEV_SUBJECTS, FOUNDING_DECISION } from '../../subgraphs/organisations/seed';
import { expectUnauthenticated } from '../subgraph-assertions';
import { useSubgraph, type GraphQLResponse } from '../subgraph-client';
import { importOfficialUnitLists } from '../unit-lists';

const ADMIN = { subject: 'dev-centre-admin', roles: ['centre_admin'] };

const subgraph = useSubgraph('organisations', { prepare: importOfficialUnitLists });

async function ok<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await subgraph.query<T>(query, { principal: ADMIN, ...(variables ? { variables } : {}) });
  expect(res.body.errors).toBeUndefined();
  return res.body.data as T;
}

function expectError(res: GraphQLResponse<unknown>, code: string, field?: string): void {
  expect(res.body.errors?.[0]?.extensions?.code).toBe(code);
  if (field) expect(res.body.errors?.[0]?.extensions?.field).toBe(field);
}

describe('organisations and the centre', () => {
  test('organisations lists the founding members in code order and filters by kind', async () => {
    const all = await ok<{ organisations: { code: string }[] }>('{ organisations { code } }');
    const codes = all.organisations.map((o) => o.code);
    expect(codes).toEqual([...codes].sort());
    expect(codes).toEqual(expect.arrayContaining(['MIC-AITA', 'MOH-DIT', 'BKAV', 'VIETTEL-VTS', 'MIC-EGOV']));
    const companies = await ok<{ organisations: { code: string }[] }>(
      '{ organisations(kind: PRIVATE_COMPANY) { code } }',
    );
    expect(companies.organisations).toEqual([{ code: 'BKAV' }]);
  });

  test('organisation resolves parent, children, current membership and history', async () => {
    const data = await ok<{ organisation: Record<string, unknown> }>(`{
      organisation(code: "MIC-AITA") {
        code name shortName kind parent { code } children { code }
        membership { role responsibility decisionReference validFrom validTo active createdBy organisation { code } }
        memberships { id }
        users { subject }
      }
    }`);
    expect(data.organisation).toEqual({
      code: 'MIC-AITA',
      name: 'Authority of Information Technology Application',
      shortName: 'AITA',
      kind: 'GOVERNMENT_AGENCY',
      parent: { code: 'MIC' },
      children: [],
      membership: {
        role: 'DIRECTOR',
        responsibility: 'Directs the centre and is responsible for its general operations.',
        decisionReference: FOUNDING_DECISION.reference,
        validFrom: FOUNDING_DECISION.effectiveFrom,
        validTo: null,
        active: true,
        createdBy: 'system:seed',
        organisation: { code: 'MIC-AITA' },
      },
      memberships: [{ id: expect.any(String) }],
      users: [{ subject: 'dev-centre-admin' }],
    });
    const mic = await ok<{ organisation: { children: { code: string }[]; membership: null } }>(
      '{ organisation(code: "MIC") { children { code } membership { id } } }',
    );
    expect(mic.organisation.children.map((c) => c.code)).toEqual(['MIC-AITA', 'MIC-NCSC', 'MIC-NEAC', 'MIC-VNTA']);
    expect(mic.organisation.membership).toBeNull();
    expect(await ok('{ organisation(code: "NOPE") { code } }')).toEqual({ organisation: null });
  });

  test('centreMembers lists the nine founding members, director first; none before the decision', async () => {
    const now = await ok<{ centreMembers: { role: string; organisation: { code: string } }[] }>(
      '{ centreMembers { role organisation { code } } }',
    );
    expect(now.centreMembers).toHaveLength(9);
    expect(now.centreMembers[0]).toEqual({ role: 'DIRECTOR', organisation: { code: 'MIC-AITA' } });
    expect(now.centreMembers[1]).toEqual({ role: 'DEPUTY_DIRECTOR', organisation: { code: 'MOH-DIT' } });
    expect(now.centreMembers.filter((m) => m.role === 'MEMBER')).toHaveLength(5);
    expect(await ok('{ centreMembers(activeOn: "2019-12-31") { id } }')).toEqual({ centreMembers: [] });
  });
});

describe('users and grants', () => {
  type UsersPage = {
    users: {
      edges: { cursor: string; node: { subject: string } }[];
      pageInfo: { hasNextPage: boolean; endCursor: string };
    };
  };
  const USERS = `query($first: Int, $after: String, $org: ID) {
    users(first: $first, after: $after, organisationCode: $org) {
      edges { cursor node { subject } } pageInfo { hasNextPage endCursor }
    }
  }`;

  test('users pages through every user in subject order with stable cursors', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const data: UsersPage = await ok<UsersPage>(USERS, { first: 3, after });
      seen.push(...data.users.edges.map((e) => e.node.subject));
      if (!data.users.pageInfo.hasNextPage) break;
      after = data.users.pageInfo.endCursor;
    }
    expect(seen).toEqual([...DEV_SUBJECTS].sort());
  });

  test('users filters by organisation; page size and cursor are validated', async () => {
    const hn = await ok<UsersPage>(USERS, { org: 'HN-DOH' });
    expect(hn.users.edges.map((e) => e.node.subject)).toEqual(['dev-health-01']);
    expect((await ok<UsersPage>(USERS, { org: 'NOPE' })).users.edges).toEqual([]);
    expectError(
      await subgraph.query(USERS, { principal: ADMIN, variables: { first: 201 } }),
      'BAD_USER_INPUT',
      'first',
    );
    expectError(
      await subgraph.query(USERS, { principal: ADMIN, variables: { after: 'garbage' } }),
      'BAD_USER_INPUT',
      'after',
    );
  });

  test('user shows contact details, organisation and active grants', async () => {
    const { users } = await ok<UsersPage & { users: { edges: { node: { id: string } }[] } }>(
      '{ users(organisationCode: "HCM-DIC") { edges { node { id } } } }',
    );
    const id = users.edges[0]!.node.id;
    const data = await ok<{ user: Record<string, unknown> }>(
      `query($id: ID!) { user(id: $id) {
        id subject kind displayName email phone active createdBy organisation { code }
        grants { role national includeDescendants jurisdiction { code name level } grantedBy revokedAt active user { subject } }
      } }`,
      { id },
    );
    expect(data.user).toEqual({
      id,
      subject: 'dev-consumer-79',
      kind: 'SERVICE',
      displayName: expect.any(String),
      email: 'dev-consumer-79@example.gov.vn',
      phone: '+84900000008',
      active: true,
      createdBy: 'system:seed',
      organisation: { code: 'HCM-DIC' },
      grants: [
        {
          role: 'CONSUMER_APP',
          national: false,
          includeDescendants: true,
          jurisdiction: { code: '79', name: 'Thành phố Hồ Chí Minh', level: 'PROVINCE' },
          grantedBy: 'system:seed',
          revokedAt: null,
          active: true,
          user: { subject: 'dev-consumer-79' },
        },
      ],
    });
    expect(await ok('{ user(id: "not-a-uuid") { id } }')).toEqual({ user: null });
    expect(await ok('{ user(id: "00000000-0000-4000-8000-000000000000") { id } }')).toEqual({ user: null });
  });

  test('grants lists a user’s grants; national grants have no jurisdiction', async () => {
    const [admin] = await subgraph.dataSource.query(`SELECT id FROM app_user WHERE subject = 'dev-centre-admin'`);
    const data = await ok<{ grants: { role: string; national: boolean; jurisdiction: null; validTo: null }[] }>(
      'query($id: ID!) { grants(userId: $id, includeInactive: true) { role national jurisdiction { code } validTo } }',
      { id: admin.id },
    );
    expect(data.grants).toEqual([{ role: 'CENTRE_ADMIN', national: true, jurisdiction: null, validTo: null }]);
    expectError(
      await subgraph.query('{ grants(userId: "x") { id } }', { principal: ADMIN }),
      'BAD_USER_INPUT',
      'userId',
    );
  });
});

describe('administrative units', () => {
  test('administrativeUnit resolves the newest row with its validity, parent and list version', async () => {
    const data = await ok<{ administrativeUnit: Record<string, unknown> }>(`{
      administrativeUnit(code: "001") {
        code name type level validFrom validTo parent { code name } listVersion { name effectiveFrom unitCount }
      }
    }`);
    expect(data.administrativeUnit).toEqual({
      code: '001',
      name: 'Quận Ba Đình',
      type: 'Quận',
      level: 'DISTRICT',
      validFrom: '2025-03-01',
      validTo: '2025-07-01',
      parent: { code: '01', name: 'Thành phố Hà Nội' },
      listVersion: { name: 'gso-2025-03-01', effectiveFrom: '2025-03-01', unitCount: 10806 },
    });
    expect(await ok('{ administrativeUnit(code: "001", asOf: "2025-07-01") { code } }')).toEqual({
      administrativeUnit: null,
    });
    expect(await ok('{ administrativeUnit(code: "99") { code } }')).toEqual({ administrativeUnit: null });
  });

  test('children follow the day the unit was resolved for', async () => {
    const before = await ok<{ administrativeUnit: { children: { code: string }[] } }>(
      '{ administrativeUnit(code: "01", asOf: "2025-06-30") { children { code } } }',
    );
    expect(before.administrativeUnit.children).toHaveLength(30);
    const after = await ok<{ administrativeUnit: { children: unknown[]; explicit: unknown[] } }>(
      '{ administrativeUnit(code: "01") { children { code } explicit: children(asOf: "2025-04-01") { code } } }',
    );
    expect(after.administrativeUnit.children).toEqual([]); // districts were abolished on 2025-07-01
    expect(after.administrativeUnit.explicit).toHaveLength(30);
  });

  type UnitsPage = {
    administrativeUnits: {
      edges: { node: { code: string; parent: { code: string } | null } }[];
      pageInfo: { hasNextPage: boolean; endCursor: string };
    };
  };
  const UNITS = `query($parent: ID, $level: AdministrativeLevel, $asOf: Date, $first: Int, $after: String) {
    administrativeUnits(parentCode: $parent, level: $level, asOf: $asOf, first: $first, after: $after) {
      edges { node { code parent { code } } } pageInfo { hasNextPage endCursor }
    }
  }`;

  test('administrativeUnits lists the units in force on a day, paginated by code', async () => {
    const today = await ok<UnitsPage>(UNITS, { level: 'PROVINCE', first: 200 });
    expect(today.administrativeUnits.edges).toHaveLength(34);
    const before = await ok<UnitsPage>(UNITS, { level: 'PROVINCE', asOf: '2025-06-30', first: 40 });
    expect(before.administrativeUnits.pageInfo.hasNextPage).toBe(true);
    const rest = await ok<UnitsPage>(UNITS, {
      level: 'PROVINCE',
      asOf: '2025-06-30',
      first: 40,
      after: before.administrativeUnits.pageInfo.endCursor,
    });
    expect(before.administrativeUnits.edges.length + rest.administrativeUnits.edges.length).toBe(63);
    expect(rest.administrativeUnits.pageInfo.hasNextPage).toBe(false);
    const wards = await ok<UnitsPage>(UNITS, { parent: '001', asOf: '2025-06-30' });
    expect(wards.administrativeUnits.edges.length).toBeGreaterThan(10);
    expect(wards.administrativeUnits.edges.every((e) => e.node.parent?.code === '001')).toBe(true);
  });

  test('administrativeUnits refuses a page above the maximum', async () => {
    expectError(
      await subgraph.query(UNITS, { principal: ADMIN, variables: { first: 201 } }),
      'BAD_USER_INPUT',
      'first',
    );
  });

  test('unitListVersions lists imported versions, oldest first', async () => {
    const data = await ok<{
      unitListVersions: { name: string; effectiveFrom: string; unitCount: number; checksum: string }[];
    }>('{ unitListVersions { name effectiveFrom unitCount checksum source importedAt } }');
    expect(data.unitListVersions.map((v) => [v.name, v.effectiveFrom, v.unitCount])).toEqual([
      ['gso-2025-03-01', '2025-03-01', 10806],
      ['builtin', '2025-07-01', 5],
      ['provinces-2025-07-01', '2025-07-01', 34],
    ]);
  });
});

test('requests without the gateway’s token are refused', async () => {
  await expectUnauthenticated(subgraph, '{ organisations { code } }');
});
