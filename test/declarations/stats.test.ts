import { testCitizenRef } from '../factories/citizens';
import { grantRole, insertDeclaration } from '../factories/declarations';
import { startStack, type Stack } from '../stack';
import { expectError, ok } from './helpers';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  // The counts are read in full by a health official of Đà Nẵng (48), who may read the records:
  // dev-health-79, given a second grant for province 48. Analysts see small counts suppressed.
  await grantRole(stack.db.organisations, 'dev-health-79', 'health_official', '48');
  const ds = stack.db.declarations;
  const at = (iso: string) => new Date(iso);
  const inDaNang = { provinceCode: '48', districtCode: '490', wardCode: '20194' };
  // Just before and just after midnight in Viet Nam (UTC+7) on the night of 9 to 10 May.
  await insertDeclaration(ds, { ...inDaNang, submittedAt: at('2025-05-09T16:59:59.999Z') });
  await insertDeclaration(ds, { ...inDaNang, submittedAt: at('2025-05-09T17:00:00.000Z'), symptoms: ['FEVER'] });
  await insertDeclaration(ds, {
    provinceCode: '48',
    districtCode: '491',
    wardCode: '20206',
    kind: 'DOMESTIC_TRAVEL',
    submittedAt: at('2025-05-10T10:00:00Z'),
  });
  await insertDeclaration(ds, {
    provinceCode: '48',
    districtCode: '492',
    wardCode: '20227',
    kind: 'ENTRY',
    submittedAt: at('2025-05-11T01:00:00Z'),
    symptoms: ['COUGH'],
  });
  // After the 2025 reform a ward sits directly below its province; and one names no unit below.
  await insertDeclaration(ds, {
    provinceCode: '48',
    districtCode: null,
    wardCode: '20195',
    submittedAt: at('2025-05-10T11:00:00Z'),
  });
  await insertDeclaration(ds, {
    provinceCode: '48',
    districtCode: null,
    wardCode: null,
    submittedAt: at('2025-05-10T12:00:00Z'),
  });
  // Amended: only the current (second, symptom-free) version counts.
  const v1 = await insertDeclaration(ds, {
    ...inDaNang,
    wardCode: null,
    submittedAt: at('2025-05-10T05:00:00Z'),
    symptoms: ['FEVER'],
    supersededAt: at('2025-05-12T00:00:00Z'),
  });
  await insertDeclaration(ds, {
    ...inDaNang,
    wardCode: null,
    id: v1.id,
    version: 2,
    citizenRef: v1.citizenRef,
    submittedAt: v1.submittedAt,
    amendmentReason: 'no fever after all',
  });
  // Outside the range (Vietnamese days 9-11 May) or the unit.
  await insertDeclaration(ds, { ...inDaNang, submittedAt: at('2025-05-08T16:59:59.999Z') });
  await insertDeclaration(ds, { ...inDaNang, submittedAt: at('2025-05-11T17:00:00.000Z') });
  await insertDeclaration(ds, {
    citizenRef: testCitizenRef(60),
    provinceCode: '01',
    submittedAt: at('2025-05-10T10:00:00Z'),
  });
});
afterAll(async () => {
  await stack.stop();
});

const STATS = `query($unit: ID!, $from: Date!, $to: Date!, $groupBy: DeclarationGrouping!) {
  declarationStats(unitCode: $unit, from: $from, to: $to, groupBy: $groupBy) {
    day kind unit { code } declarations symptomatic
  }
}`;
const stats = async (groupBy: string, unit = '48', from = '2025-05-09', to = '2025-05-11') =>
  ok(await stack.as('dev-health-79').query<{ declarationStats: unknown[] }>(STATS, { unit, from, to, groupBy }))
    .declarationStats;

const row = (values: Record<string, unknown>) => ({ day: null, kind: null, unit: null, ...values });

test('by DAY: Vietnamese calendar days, a declaration at 00:00 in Viet Nam counting on its new day', async () => {
  expect(await stats('DAY')).toEqual([
    row({ day: '2025-05-09', declarations: 1, symptomatic: 0 }),
    row({ day: '2025-05-10', declarations: 5, symptomatic: 1 }),
    row({ day: '2025-05-11', declarations: 1, symptomatic: 1 }),
  ]);
  expect(await stats('DAY', '48', '2025-05-10', '2025-05-10')).toEqual([
    row({ day: '2025-05-10', declarations: 5, symptomatic: 1 }),
  ]);
});

test('by KIND', async () => {
  expect(await stats('KIND')).toEqual([
    row({ kind: 'DOMESTIC_TRAVEL', declarations: 1, symptomatic: 0 }),
    row({ kind: 'ENTRY', declarations: 1, symptomatic: 1 }),
    row({ kind: 'UNIVERSAL', declarations: 5, symptomatic: 1 }),
  ]);
});

test('an analyst (aggregates only) gets counts below the threshold of 5 suppressed as null', async () => {
  const res = await stack.as('dev-analyst').query<{ declarationStats: unknown[] }>(STATS, {
    unit: '48',
    from: '2025-05-09',
    to: '2025-05-11',
    groupBy: 'KIND',
  });
  expect(ok(res).declarationStats).toEqual([
    row({ kind: 'DOMESTIC_TRAVEL', declarations: null, symptomatic: null }),
    row({ kind: 'ENTRY', declarations: null, symptomatic: null }),
    row({ kind: 'UNIVERSAL', declarations: 5, symptomatic: null }),
  ]);
});

test('by UNIT: the units directly below, districts or (after the reform) wards of a province', async () => {
  expect(await stats('UNIT')).toEqual([
    row({ unit: { code: '20195' }, declarations: 1, symptomatic: 0 }),
    row({ unit: { code: '490' }, declarations: 3, symptomatic: 1 }),
    row({ unit: { code: '491' }, declarations: 1, symptomatic: 0 }),
    row({ unit: { code: '492' }, declarations: 1, symptomatic: 1 }),
    row({ unit: null, declarations: 1, symptomatic: 0 }),
  ]);
  expect(await stats('UNIT', '490')).toEqual([
    row({ unit: { code: '20194' }, declarations: 2, symptomatic: 1 }),
    row({ unit: null, declarations: 1, symptomatic: 0 }),
  ]);
});

test('refuses a reversed or too long range and a malformed unit; needs stats:read', async () => {
  const q = (vars: Record<string, unknown>) =>
    stack.as('dev-analyst').query(STATS, { unit: '48', from: '2025-05-09', to: '2025-05-11', groupBy: 'DAY', ...vars });
  expectError(await q({ to: '2025-05-08' }), 'BAD_USER_INPUT', 'to');
  expectError(await q({ from: '2024-05-09' }), 'BAD_USER_INPUT', 'to');
  expectError(await q({ unit: '4' }), 'BAD_USER_INPUT', 'unitCode');
  const res = await stack
    .as('dev-checkpoint-01')
    .query(STATS, { unit: '48', from: '2025-05-09', to: '2025-05-11', groupBy: 'DAY' });
  expectError(res, 'FORBIDDEN');
});
