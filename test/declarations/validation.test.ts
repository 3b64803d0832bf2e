import { identityInput, submitInput } from '../factories/declarations';
import { startStack, type Stack } from '../stack';
import { importOfficialUnitLists } from '../unit-lists';
import { countRows, expectError, ok, SUBMIT } from './helpers';

/*
 * One test per input rule of submitDeclaration: BAD_USER_INPUT naming the field, no identity number
 * or phone echoed, and nothing written. The official lists are imported so districts and wards are
 * checked (declarations are dated 2025-05-10, when the list of 2025-03-01 was in force).
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  await importOfficialUnitLists(stack.db.declarations);
});
afterAll(async () => {
  await stack.stop();
});

type Input = Record<string, unknown>;
const base = submitInput(7);
const identity = (overrides: Input) => identityInput(7, overrides);
const health = (overrides: Input) => ({ symptoms: [], ...overrides });
const stop = (overrides: Input) => ({ countryCode: 'VN', from: '2025-05-01', to: '2025-05-02', ...overrides });
const entry = (overrides: Input) => ({ arrivalDate: '2025-05-09', departureCountry: 'KR', ...overrides });
const nextYear = Number(new Date().toISOString().slice(0, 4)) + 2;

const CASES: [rule: string, overrides: Input, field: string][] = [
  [
    'a CCCD has 12 digits',
    { identity: identity({ document: { type: 'CCCD', number: '00109900001' } }) },
    'identity.document.number',
  ],
  [
    'a CMND has 9 digits',
    { identity: identity({ document: { type: 'CMND', number: '0010990000' } }) },
    'identity.document.number',
  ],
  [
    'a passport needs its country',
    { identity: identity({ document: { type: 'PASSPORT', number: 'B1234567' } }) },
    'identity.document.country',
  ],
  [
    'a CCCD starts with a birth province',
    { identity: identity({ document: { type: 'CCCD', number: '000099000007' } }) },
    'identity.document.number',
  ],
  ['CCCD digits 5-6 are the year of birth', { identity: identity({ yearOfBirth: 1998 }) }, 'identity.document.number'],
  ['CCCD digit 4 is the century and sex', { identity: identity({ sex: 'FEMALE' }) }, 'identity.document.number'],
  ['the year of birth is 1900 or later', { identity: identity({ yearOfBirth: 1899 }) }, 'identity.yearOfBirth'],
  ['the year of birth is not in the future', { identity: identity({ yearOfBirth: nextYear }) }, 'identity.yearOfBirth'],
  ['nationality is an ISO country code', { identity: identity({ nationality: 'Vietnam' }) }, 'identity.nationality'],
  ['a phone number has 8-15 digits', { identity: identity({ phone: '0912-34' }) }, 'identity.phone'],
  ['an email address has a domain', { identity: identity({ email: 'thu7@' }) }, 'identity.email'],
  ['the full name is not blank', { identity: identity({ fullName: '   ' }) }, 'identity.fullName'],
  [
    'the full name has at most 200 characters',
    { identity: identity({ fullName: 'A'.repeat(201) }) },
    'identity.fullName',
  ],
  [
    'the address detail has at most 300 characters',
    { identity: identity({ contactAddress: { provinceCode: '01', detail: 'x'.repeat(301) } }) },
    'identity.contactAddress.detail',
  ],
  [
    'the address ward exists',
    { identity: identity({ contactAddress: { provinceCode: '01', districtCode: '001', wardCode: '99999' } }) },
    'identity.contactAddress.wardCode',
  ],
  ['the responsible province exists', { responsibleUnit: { provinceCode: '99' } }, 'responsibleUnit.provinceCode'],
  ['a province code has 2 digits', { responsibleUnit: { provinceCode: '1' } }, 'responsibleUnit.provinceCode'],
  [
    'the district belongs to the province',
    { responsibleUnit: { provinceCode: '01', districtCode: '760' } },
    'responsibleUnit.districtCode',
  ],
  [
    'the ward belongs to the district',
    { responsibleUnit: { provinceCode: '01', districtCode: '001', wardCode: '26740' } },
    'responsibleUnit.wardCode',
  ],
  ['submittedAt is not in the future', { submittedAt: new Date(Date.now() + 86_400_000).toISOString() }, 'submittedAt'],
  ['the channel is a lowercase code', { channel: 'Mobile App' }, 'channel'],
  [
    'the questionnaire version has at most 32 characters',
    { questionnaireVersion: 'v'.repeat(33) },
    'questionnaireVersion',
  ],
  ['a proxy declaration names the proxy', { declaredBy: 'PROXY' }, 'proxy'],
  ['a self declaration has no proxy', { proxy: { fullName: 'Nguyễn Thị Mẹ', relationship: 'PARENT' } }, 'proxy'],
  ['the symptom window is 1-21 days', { health: health({ symptomWindowDays: 22 }) }, 'health.symptomWindowDays'],
  ['each symptom once', { health: health({ symptoms: ['FEVER', 'FEVER'] }) }, 'health.symptoms'],
  ['symptom onset needs a symptom', { health: health({ symptomOnset: '2025-05-09' }) }, 'health.symptomOnset'],
  [
    'symptom onset is not after submission',
    { health: health({ symptoms: ['COUGH'], symptomOnset: '2025-05-11' }) },
    'health.symptomOnset',
  ],
  [
    "symptom onset is within the form's window",
    { health: health({ symptoms: ['COUGH'], symptomWindowDays: 14, symptomOnset: '2025-04-26' }) },
    'health.symptomOnset',
  ],
  ['a temperature is 34-43 °C', { health: health({ temperatureCelsius: 45 }) }, 'health.temperatureCelsius'],
  [
    'each exposure question once',
    {
      health: health({
        exposures: [
          { question: 'VISITED_AFFECTED_AREA', answer: true },
          { question: 'VISITED_AFFECTED_AREA', answer: false },
        ],
      }),
    },
    'health.exposures',
  ],
  [
    'a stop does not end before it starts',
    { health: health({ travelHistory: [stop({ from: '2025-05-03', to: '2025-05-01' })] }) },
    'health.travelHistory.0.to',
  ],
  [
    'a stop is not after submission',
    { health: health({ travelHistory: [stop({ from: '2025-05-11', to: null })] }) },
    'health.travelHistory.0.from',
  ],
  [
    'a stop abroad has no province',
    { health: health({ travelHistory: [stop({ countryCode: 'TH', provinceCode: '79' })] }) },
    'health.travelHistory.0.provinceCode',
  ],
  [
    'a stop’s province exists',
    { health: health({ travelHistory: [stop({ provinceCode: '99' })] }) },
    'health.travelHistory.0.provinceCode',
  ],
  [
    'a stop’s place has at most 200 characters',
    { health: health({ travelHistory: [stop({ place: 'p'.repeat(201) })] }) },
    'health.travelHistory.0.place',
  ],
  [
    'at most 30 stops',
    { health: health({ travelHistory: Array.from({ length: 31 }, () => stop({})) }) },
    'health.travelHistory',
  ],
  ['vaccine doses are 0-10', { health: health({ vaccination: { doses: 11 } }) }, 'health.vaccination.doses'],
  [
    'a last dose needs a dose',
    { health: health({ vaccination: { doses: 0, lastDoseOn: '2022-01-01' } }) },
    'health.vaccination.lastDoseOn',
  ],
  [
    'a test is not after submission',
    { health: health({ latestTest: { type: 'RT_PCR', result: 'NEGATIVE', testedOn: '2025-05-11' } }) },
    'health.latestTest.testedOn',
  ],
  ['an ENTRY declaration has entry details', { kind: 'ENTRY' }, 'entry'],
  ['only an ENTRY declaration has entry details', { entry: entry({}) }, 'entry'],
  [
    'arrival is not after submission',
    { kind: 'ENTRY', entry: entry({ arrivalDate: '2025-05-11' }) },
    'entry.arrivalDate',
  ],
  [
    'the departure country is an ISO code',
    { kind: 'ENTRY', entry: entry({ departureCountry: 'Korea' }) },
    'entry.departureCountry',
  ],
  [
    'the quarantine facility’s province exists',
    { kind: 'ENTRY', entry: entry({ quarantineFacility: { name: 'Khu cách ly', provinceCode: '99' } }) },
    'entry.quarantineFacility.provinceCode',
  ],
];

test.each(CASES)('rule: %s', async (_rule, overrides, field) => {
  const input = { ...base, ...overrides };
  const before = await countRows(stack.db.declarations);
  const res = await stack.as('dev-health-01').query(SUBMIT, { input });
  expectError(res, 'BAD_USER_INPUT', field);
  expect(res.body.data).toBeNull();
  const body = JSON.stringify(res.body);
  const person = input.identity as { document: { number: string }; phone?: string };
  expect(body).not.toContain(person.document.number);
  if (person.phone) expect(body).not.toContain(person.phone);
  expect(await countRows(stack.db.declarations)).toEqual(before);
});

test('rule: an idempotency key has 8-128 safe characters', async () => {
  const before = await countRows(stack.db.declarations);
  const res = await stack.as('dev-health-01').query(SUBMIT, { input: base, key: 'short' });
  expectError(res, 'BAD_USER_INPUT', 'idempotencyKey');
  expect(await countRows(stack.db.declarations)).toEqual(before);
});

test('rule: enum values out of range are refused before any resolver runs', async () => {
  const before = await countRows(stack.db.declarations);
  const res = await stack.as('dev-health-01').query(SUBMIT, {
    input: { ...base, health: health({ symptoms: ['SNEEZING'] }) },
  });
  expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  expect(res.body.errors?.[0]?.message).toContain('input.health.symptoms[0]');
  expect(await countRows(stack.db.declarations)).toEqual(before);
});

test('units are checked against the list in force at the record’s date', async () => {
  // District 760 (Quận 1) is not in province 01 under the list of 2025-03-01 …
  const unit = { provinceCode: '01', districtCode: '760' };
  const early = await stack.as('dev-health-01').query(SUBMIT, { input: { ...base, responsibleUnit: unit } });
  expectError(early, 'BAD_USER_INPUT', 'responsibleUnit.districtCode');
  expect(early.body.errors![0]!.message).toBe('responsibleUnit.districtCode: is not a district of province 01');
  // … while the reform list of 2025-07-01 has no districts at all: only the format is checked.
  const late = await stack.as('dev-health-01').query(SUBMIT, {
    input: { ...base, submittedAt: '2025-08-01T03:00:00Z', responsibleUnit: unit },
  });
  expect(ok(late)).toEqual({ submitDeclaration: expect.objectContaining({ version: 1 }) });
});
