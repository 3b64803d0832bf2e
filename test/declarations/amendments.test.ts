import { testCitizenRef } from '../factories/citizens';
import { identityInput, submitInput } from '../factories/declarations';
import { startStack, type Stack } from '../stack';
import { AMEND, countRows, expectError, ok, SUBMIT } from './helpers';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.stop();
});

// Province 01's official; reads of a person's record declare a purpose.
const official = () => stack.as('dev-health-01', { purpose: 'case investigation' });

/** The amendable part of test person n's form (kind, channel and submission time stay). */
function amendInput(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const { kind: _kind, channel: _channel, submittedAt: _submittedAt, ...form } = submitInput(n, overrides);
  return form;
}

async function submitted(n: number, overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await official().query<{ submitDeclaration: { id: string } }>(SUBMIT, {
    input: submitInput(n, overrides),
  });
  return ok(res).submitDeclaration.id;
}

const amend = (id: string, expected: number, input: Record<string, unknown>, reason = 'Corrected on the phone') =>
  official().query<{ amendDeclaration: { id: string; version: number } }>(AMEND, { id, expected, input, reason });

const VERSION_FIELDS = `id version symptoms symptomatic identity { phone } amendedBy amendedAt amendmentReason recordedBy`;

test('an amendment is a new version of the same declaration; every version stays readable', async () => {
  const id = await submitted(31);
  const amended = await amend(
    id,
    1,
    amendInput(31, {
      health: { symptoms: ['FEVER'], symptomOnset: '2025-05-09' },
      identity: identityInput(31, { phone: '+84987654321' }),
    }),
    'Fever reported by phone the next day',
  );
  expect(ok(amended).amendDeclaration).toEqual({ id, version: 2 });

  const res = await official().query<{ declaration: Record<string, unknown> & { history: Record<string, unknown>[] } }>(
    `query($id: ID!) { declaration(id: $id) { ${VERSION_FIELDS} submittedAt symptomOnset history { ${VERSION_FIELDS} symptomOnset } } }`,
    { id },
  );
  const { declaration } = ok(res);
  expect(declaration).toMatchObject({
    id,
    version: 2,
    submittedAt: '2025-05-10T03:00:00.000Z',
    symptoms: ['FEVER'],
    symptomatic: true,
    symptomOnset: '2025-05-09',
    identity: { phone: '+84987654321' },
    amendedBy: 'dev-health-01',
    amendedAt: expect.any(String),
    amendmentReason: 'Fever reported by phone the next day',
    recordedBy: 'dev-health-01',
  });
  expect(declaration.history).toEqual([
    {
      id,
      version: 1,
      symptoms: [],
      symptomatic: false,
      symptomOnset: null,
      identity: { phone: '+84900000031' },
      amendedBy: null,
      amendedAt: null,
      amendmentReason: null,
      recordedBy: 'dev-health-01',
    },
    {
      id,
      version: 2,
      symptoms: ['FEVER'],
      symptomatic: true,
      symptomOnset: '2025-05-09',
      identity: { phone: '+84987654321' },
      amendedBy: 'dev-health-01',
      amendedAt: declaration.amendedAt,
      amendmentReason: 'Fever reported by phone the next day',
      recordedBy: 'dev-health-01',
    },
  ]);

  // Lists, the person's declarations and their identity see the current version only.
  const citizen = await official().query<{ citizen: Record<string, unknown> }>(
    `query($ref: ID!) { citizen(ref: $ref) { identity { phone } declarations { id version } } }`,
    { ref: testCitizenRef(31) },
  );
  expect(ok(citizen).citizen).toEqual({ identity: { phone: '+84987654321' }, declarations: [{ id, version: 2 }] });
  const list = await official().query<{ declarations: { edges: { node: { id: string; version: number } }[] } }>(
    `{ declarations(filter: { unitCode: "00001", from: "2025-05-10T03:00:00Z", to: "2025-05-10T03:00:01Z" }) { edges { node { id version } } } }`,
  );
  expect(ok(list).declarations.edges).toEqual([{ node: { id, version: 2 } }]);
});

test('an amendment of a version that is no longer current is a CONFLICT and writes nothing', async () => {
  const id = await submitted(32);
  ok(await amend(id, 1, amendInput(32, { questionnaireVersion: '2021-09' })));
  const before = await countRows(stack.db.declarations);
  expectError(await amend(id, 1, amendInput(32, { questionnaireVersion: '2021-10' })), 'CONFLICT');
  expect(await countRows(stack.db.declarations)).toEqual(before);
});

test('of two concurrent amendments of one version, exactly one wins', async () => {
  const id = await submitted(33);
  const results = await Promise.all([
    amend(id, 1, amendInput(33, { questionnaireVersion: 'a' })),
    amend(id, 1, amendInput(33, { questionnaireVersion: 'b' })),
    amend(id, 1, amendInput(33, { questionnaireVersion: 'c' })),
  ]);
  const codes = results.map((r) => r.body.errors?.[0]?.extensions?.code ?? 'OK').sort();
  expect(codes).toEqual(['CONFLICT', 'CONFLICT', 'OK']);
  const res = await official().query<{ declaration: { version: number; history: { version: number }[] } }>(
    `query($id: ID!) { declaration(id: $id) { version history { version } } }`,
    { id },
  );
  expect(ok(res).declaration).toEqual({ version: 2, history: [{ version: 1 }, { version: 2 }] });
});

test('an amendment keeps the person: another document is refused, and nothing is written', async () => {
  const id = await submitted(34);
  const before = await countRows(stack.db.declarations);
  const res = await amend(id, 1, amendInput(35));
  expectError(res, 'BAD_USER_INPUT', 'identity.document');
  expect(await countRows(stack.db.declarations)).toEqual(before);
});

test('an amendment is checked like a submission, at the declaration’s own date', async () => {
  const id = await submitted(36);
  const before = await countRows(stack.db.declarations);
  const late = await amend(id, 1, amendInput(36, { health: { symptoms: ['COUGH'], symptomOnset: '2025-05-11' } }));
  expectError(late, 'BAD_USER_INPUT', 'health.symptomOnset');
  expectError(await amend(id, 1, amendInput(36), '  '), 'BAD_USER_INPUT', 'reason');
  expect(await countRows(stack.db.declarations)).toEqual(before);
});

test('amending an unknown declaration is NOT_FOUND; amending needs declarations:write', async () => {
  expectError(await amend('00000000-0000-4000-8000-000000000000', 1, amendInput(37)), 'NOT_FOUND');
  const id = await submitted(38);
  const res = await stack.as('dev-analyst').query(AMEND, { id, expected: 1, input: amendInput(38), reason: 'x' });
  expectError(res, 'FORBIDDEN');
});

test('amending an ENTRY declaration moves the monitoring period it opened, or closes it', async () => {
  const entry = (arrivalDate: string, facility: boolean) => ({
    arrivalDate,
    departureCountry: 'SG',
    // In the official's own province (01): a period elsewhere would be outside their jurisdiction.
    ...(facility ? { quarantineFacility: { name: 'Khu cách ly Sóc Sơn', provinceCode: '01' } } : {}),
  });
  const id = await submitted(39, { kind: 'ENTRY', entry: entry('2025-05-09', true) });
  const periods = async () =>
    ok(
      await official().query<{ citizen: { monitoringPeriods: unknown[] } }>(
        `query($ref: ID!) { citizen(ref: $ref) { monitoringPeriods { startsOn endsOn province { code } sourceDeclaration { version } } } }`,
        { ref: testCitizenRef(39) },
      ),
    ).citizen.monitoringPeriods;
  expect(await periods()).toEqual([
    { startsOn: '2025-05-09', endsOn: '2025-05-22', province: { code: '01' }, sourceDeclaration: { version: 1 } },
  ]);
  ok(await amend(id, 1, amendInput(39, { entry: entry('2025-05-08', true) }), 'Arrived a day earlier'));
  expect(await periods()).toEqual([
    { startsOn: '2025-05-08', endsOn: '2025-05-21', province: { code: '01' }, sourceDeclaration: { version: 2 } },
  ]);
  ok(await amend(id, 2, amendInput(39, { entry: entry('2025-05-08', false) }), 'Home quarantine was not ordered'));
  expect(await periods()).toEqual([]);
});
