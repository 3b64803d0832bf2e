import { LoaderRegistry } from '../../subgraphs/kit/loaders';
import { DEV_SUBJECTS } from '../../subgraphs/organisations/seed';
import { useSubgraph } from '../subgraph-client';

const GATEWAY = { subject: 'system:gateway', kind: 'service' as const, scopes: ['internal:principal'] };
const ADMIN = { subject: 'dev-centre-admin', roles: ['centre_admin'] };

const subgraph = useSubgraph('organisations');

afterAll(() => jest.restoreAllMocks());

const RESOLVE = `query($subject: String!) {
  resolvePrincipal(subject: $subject) { subject userId kind organisationCode grants { role unitCode includeDescendants } }
}`;

interface PrincipalGrants {
  subject: string;
  userId: string;
  kind: string;
  organisationCode: string | null;
  grants: { role: string; unitCode: string | null; includeDescendants: boolean }[];
}

const resolve = async (subject: string): Promise<PrincipalGrants | null> => {
  const res = await subgraph.query<{ resolvePrincipal: PrincipalGrants | null }>(RESOLVE, {
    principal: GATEWAY,
    variables: { subject },
  });
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.resolvePrincipal;
};

describe('resolvePrincipal (the gateway’s lookup)', () => {
  test.each([
    ['dev-centre-admin', 'user', 'MIC-AITA', 'centre_admin', null],
    ['dev-dpo', 'user', 'MIC-NEAC', 'data_protection_officer', null],
    ['dev-health-01', 'user', 'HN-DOH', 'health_official', '01'],
    ['dev-health-79', 'user', 'HCM-DOH', 'health_official', '79'],
    ['dev-checkpoint-01', 'user', 'HN-PC', 'checkpoint_officer', '01'],
    ['dev-analyst', 'user', 'MOH-DIT', 'analyst', null],
    ['dev-hotline-01', 'user', 'HN-CDC', 'hotline_operator', '01'],
    ['dev-consumer-79', 'service', 'HCM-DIC', 'consumer_app', '79'],
  ])('returns the seeded grant of %s', async (subject, kind, organisationCode, role, unitCode) => {
    expect(await resolve(subject)).toEqual({
      subject,
      userId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      kind,
      organisationCode,
      grants: [{ role, unitCode, includeDescendants: true }],
    });
  });

  test('covers every seeded development subject', () => {
    expect(DEV_SUBJECTS).toHaveLength(8);
  });

  test('is null for an unknown subject', async () => {
    expect(await resolve('nobody')).toBeNull();
  });

  test('returns only grants in force now: not revoked, started, not expired', async () => {
    const [user] = await subgraph.dataSource.query(`SELECT id FROM app_user WHERE subject = 'dev-analyst'`);
    await subgraph.dataSource.query(
      `INSERT INTO role_grant (user_id, role, jurisdiction_code, include_descendants, valid_from, valid_to, granted_by,
                               revoked_at, revoked_by, revoke_reason)
       VALUES ($1, 'hotline_operator', '01', true, now() + interval '1 day', NULL, 'test', NULL, NULL, NULL),
              ($1, 'hotline_operator', '79', true, now() - interval '2 days', now() - interval '1 day', 'test', NULL, NULL, NULL),
              ($1, 'checkpoint_officer', '01', false, now() - interval '1 day', NULL, 'test', now(), 'test', 'revoked'),
              ($1, 'health_official', '48', false, now() - interval '1 day', now() + interval '1 day', 'test', NULL, NULL, NULL)`,
      [user.id],
    );
    expect((await resolve('dev-analyst'))?.grants).toEqual([
      { role: 'analyst', unitCode: null, includeDescendants: true },
      { role: 'health_official', unitCode: '48', includeDescendants: false },
    ]);
  });

  test('is null for a deactivated user', async () => {
    await subgraph.dataSource.query(`UPDATE app_user SET active = false WHERE subject = 'dev-hotline-01'`);
    expect(await resolve('dev-hotline-01')).toBeNull();
  });

  test('is FORBIDDEN without internal:principal, even for a centre administrator', async () => {
    const res = await subgraph.query(RESOLVE, { principal: ADMIN, variables: { subject: 'dev-dpo' } });
    expect(res.body.data).toEqual({ resolvePrincipal: null });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('_entities', () => {
  const ENTITIES = `query($representations: [_Any!]!) {
    _entities(representations: $representations) {
      __typename
      ... on Organisation { code name membership { role } }
      ... on User { id subject }
      ... on AdministrativeUnit { code name level validTo }
    }
  }`;

  /** Records every loader batch run while serving a request. */
  function recordBatches(): { name: string; keys: unknown[] }[] {
    const batches: { name: string; keys: unknown[] }[] = [];
    const original = LoaderRegistry.prototype.get;
    jest.spyOn(LoaderRegistry.prototype, 'get').mockImplementation(function (
      this: LoaderRegistry,
      name: string,
      batch: (keys: readonly unknown[]) => Promise<unknown[]>,
    ) {
      return original.call(this, name, async (keys: readonly unknown[]) => {
        batches.push({ name, keys: [...keys] });
        return batch(keys);
      });
    });
    return batches;
  }

  afterEach(() => jest.restoreAllMocks());

  test('resolve organisations, users and units in one batch per type, null for unknown keys', async () => {
    const [user] = await subgraph.dataSource.query(`SELECT id FROM app_user WHERE subject = 'dev-dpo'`);
    const batches = recordBatches();
    const res = await subgraph.query<{ _entities: unknown[] }>(ENTITIES, {
      principal: ADMIN,
      variables: {
        representations: [
          { __typename: 'Organisation', code: 'BKAV' },
          { __typename: 'Organisation', code: 'NOPE' },
          { __typename: 'Organisation', code: 'MIC-AITA' },
          { __typename: 'User', id: user.id },
          { __typename: 'User', id: 'not-a-uuid' },
          { __typename: 'User', id: '00000000-0000-4000-8000-000000000000' },
          { __typename: 'AdministrativeUnit', code: '79' },
          { __typename: 'AdministrativeUnit', code: '99' },
        ],
      },
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?._entities).toEqual([
      { __typename: 'Organisation', code: 'BKAV', name: 'BKAV Corporation', membership: { role: 'MEMBER' } },
      null,
      {
        __typename: 'Organisation',
        code: 'MIC-AITA',
        name: 'Authority of Information Technology Application',
        membership: { role: 'DIRECTOR' },
      },
      { __typename: 'User', id: user.id, subject: 'dev-dpo' },
      null,
      null,
      { __typename: 'AdministrativeUnit', code: '79', name: 'Thành phố Hồ Chí Minh', level: 'PROVINCE', validTo: null },
      null,
    ]);
    const byName = (name: string) => batches.filter((b) => b.name === name);
    expect(byName('organisationByCode')).toEqual([{ name: 'organisationByCode', keys: ['BKAV', 'NOPE', 'MIC-AITA'] }]);
    expect(byName('userById')).toHaveLength(1);
    expect(byName('userById')[0]!.keys).toHaveLength(3);
    expect(byName('unitByCode:newest')).toEqual([{ name: 'unitByCode:newest', keys: ['79', '99'] }]);
    expect(byName('membershipsOfOrganisation')).toHaveLength(1);
  });

  test('_service serves the subgraph SDL', async () => {
    const res = await subgraph.query<{ _service: { sdl: string } }>('{ _service { sdl } }', { principal: ADMIN });
    expect(res.body.data?._service.sdl).toMatch(/type Organisation\s+@key\(fields: "code"\)/);
    expect(res.body.data?._service.sdl).toContain('resolvePrincipal(subject: String!): PrincipalGrants @inaccessible');
  });

  test('_entities also needs the gateway’s token', async () => {
    const res = await subgraph.query(ENTITIES, {
      token: null,
      variables: { representations: [{ __typename: 'Organisation', code: 'BKAV' }] },
    });
    expect(res.status).toBe(401);
  });
});
