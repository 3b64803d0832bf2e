import { importUnitList } from '../../subgraphs/kit/admin-units';
import { DEMO_PEOPLE } from '../../subgraphs/kit/demo';
import { citizenRef } from '../../subgraphs/kit/pseudonym';
import { TEST_PSEUDONYM_KEY, testCitizenRef } from '../factories/citizens';
import { UNITS } from '../factories/sequence';
import { clearFeedback, insertFeedback } from '../factories/feedback';
import { startStack, type Stack } from '../stack';
import { GSO_2025_03_01 } from '../unit-lists';
import {
  ASSIGN,
  MARK_DUPLICATE,
  ok,
  refused,
  submission,
  SUBMIT,
  tableCounts,
  TRANSITION,
  type Receipt,
} from './helpers';

/*
 * Input rules (each refusal is BAD_USER_INPUT naming the field, and writes nothing) and idempotency
 * keys of submitFeedback, through the gateway.
 */

const HOTLINE = 'dev-hotline-01';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  await clearFeedback(stack.db.feedback);
  // The 2025-03-01 list (provinces, districts, wards) is the one in force for every date here.
  await importUnitList(stack.db.feedback, GSO_2025_03_01);
});
afterAll(async () => {
  await stack.stop();
});

const DAY = 86_400_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const person = DEMO_PEOPLE[0]!;

describe('submitFeedback refuses bad input, naming the field, and writes nothing', () => {
  test.each<[string, Record<string, unknown>, string]>([
    ['an empty description', { description: '   ' }, 'input.description'],
    ['a description over 4000 characters', { description: 'x'.repeat(4001) }, 'input.description'],
    ['a malformed province code', { provinceCode: '1' }, 'input.provinceCode'],
    [
      'a province not in the list in force',
      { provinceCode: '99', districtCode: null, wardCode: null },
      'input.provinceCode',
    ],
    ['a malformed district code', { districtCode: '01' }, 'input.districtCode'],
    ['a district of another province', { districtCode: '760', wardCode: null }, 'input.districtCode'],
    ['a ward of another district', { wardCode: '26740' }, 'input.wardCode'],
    ['a malformed ward code', { wardCode: '1' }, 'input.wardCode'],
    [
      'a report dated in the future',
      { reportedAt: new Date(Date.now() + 3_600_000).toISOString() },
      'input.reportedAt',
    ],
    ['a report dated more than 30 days back', { reportedAt: ago(31 * DAY) }, 'input.reportedAt'],
    ['an empty location', { location: {} }, 'input.location'],
    ['a latitude without longitude', { location: { latitude: 21.03 } }, 'input.location.longitude'],
    ['a latitude out of range', { location: { latitude: 91, longitude: 105.8 } }, 'input.location.latitude'],
    ['a longitude out of range', { location: { latitude: 21, longitude: 181 } }, 'input.location.longitude'],
    ['an address over 500 characters', { location: { address: 'x'.repeat(501) } }, 'input.location.address'],
    ['no reporter', { reporter: {} }, 'input.reporter'],
    ['two kinds of reporter', { reporter: { phone: '0912345678', anonymous: true } }, 'input.reporter'],
    ['anonymous: false alone', { reporter: { anonymous: false } }, 'input.reporter'],
    ['a malformed phone', { reporter: { phone: '09-12ab' } }, 'input.reporter.phone'],
    ['a malformed citizen ref', { reporter: { citizenRef: 'CCCD:001099000001' } }, 'input.reporter.citizenRef'],
    [
      'a citizen ID of the wrong length',
      { reporter: { document: { type: 'CCCD', number: '00109900' } } },
      'input.reporter.document.number',
    ],
    [
      'a citizen ID with an impossible birth province',
      { reporter: { document: { type: 'CCCD', number: '099099000001' } } },
      'input.reporter.document.number',
    ],
    [
      'a passport without its country',
      { reporter: { document: { type: 'PASSPORT', number: 'B1234567' } } },
      'input.reporter.document.country',
    ],
    ['a reported person given no way', { reportedPerson: {} }, 'input.reportedPerson'],
    [
      'a reported person given two ways',
      { reportedPerson: { citizenRef: testCitizenRef(1), document: { type: 'CCCD', number: person.documentNumber } } },
      'input.reportedPerson',
    ],
    [
      'a reported person with a malformed document',
      { reportedPerson: { document: { type: 'CMND', number: '12345' } } },
      'input.reportedPerson.document.number',
    ],
  ])('%s', async (_, overrides, field) => {
    const before = await tableCounts(stack.db.feedback);
    const error = await refused(stack, HOTLINE, SUBMIT, { input: submission(overrides), key: 'retry-key-0001' });
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(error.message.startsWith(`${field}: `)).toBe(true);
    expect(await tableCounts(stack.db.feedback)).toEqual(before);
  });

  test('a malformed idempotency key', async () => {
    const before = await tableCounts(stack.db.feedback);
    expect(await refused(stack, HOTLINE, SUBMIT, { input: submission(), key: 'short' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'idempotencyKey',
    });
    expect(await tableCounts(stack.db.feedback)).toEqual(before);
  });

  test('messages never repeat a phone number or an identity number', async () => {
    const phone = await refused(stack, HOTLINE, SUBMIT, { input: submission({ reporter: { phone: '0912x45678' } }) });
    expect(phone.message).not.toContain('0912');
    const id = await refused(stack, HOTLINE, SUBMIT, {
      input: submission({ reporter: { document: { type: 'CCCD', number: '099099123456' } } }),
    });
    expect(id.message).not.toContain('099099123456');
  });

  test('a valid submission with every optional part is accepted', async () => {
    const { submitFeedback } = await ok<{ submitFeedback: Receipt }>(stack, HOTLINE, SUBMIT, {
      input: submission({
        category: 'ARRIVAL_FROM_OUTBREAK_AREA',
        location: { address: 'Số 5 Phúc Xá', latitude: 21.045, longitude: 105.847 },
        reportedAt: ago(2 * DAY),
        reporter: { citizenRef: testCitizenRef(7) },
        reportedPerson: { document: { type: 'CCCD', number: person.documentNumber } },
      }),
    });
    const [row] = (await stack.db.feedback.query(
      `SELECT reporter_kind, reporter_ref, reported_ref, location_address, due_at - reported_at AS deadline
       FROM feedback WHERE id = $1`,
      [submitFeedback.id],
    )) as Record<string, unknown>[];
    expect(row).toEqual({
      reporter_kind: 'CITIZEN',
      reporter_ref: testCitizenRef(7),
      reported_ref: citizenRef({ type: 'CCCD', number: person.documentNumber }, TEST_PSEUDONYM_KEY),
      location_address: 'Số 5 Phúc Xá',
      deadline: expect.objectContaining({ hours: 12 }) as unknown,
    });
  });
});

describe('handling mutations refuse bad input, naming the field, and change nothing', () => {
  test.each<[string, string, Record<string, unknown>, string]>([
    ['a malformed assignee code', ASSIGN, { assignee: 'hn-doh' }, 'assigneeCode'],
    ['a one-letter assignee code', ASSIGN, { assignee: 'H' }, 'assigneeCode'],
    ['a malformed assignee unit', ASSIGN, { assignee: 'HN-DOH', unit: '1234' }, 'assigneeUnitCode'],
    ['an unknown assignee unit', ASSIGN, { assignee: 'HN-DOH', unit: '998' }, 'assigneeUnitCode'],
    ['an unknown province as assignee unit', ASSIGN, { assignee: 'HN-DOH', unit: '99' }, 'assigneeUnitCode'],
    ['a note over 2000 characters', ASSIGN, { assignee: 'HN-DOH', note: 'x'.repeat(2001) }, 'note'],
    ['a note over 2000 characters', TRANSITION, { to: 'REJECTED', note: 'x'.repeat(2001) }, 'note'],
    [
      'a note over 2000 characters',
      MARK_DUPLICATE,
      { of: '00000000-0000-4000-8000-000000000001', note: 'x'.repeat(2001) },
      'note',
    ],
  ])('%s (%#)', async (_, mutation, args, field) => {
    const f = await insertFeedback(stack.db.feedback, { reportedAt: new Date() });
    const before = await tableCounts(stack.db.feedback);
    expect(await refused(stack, HOTLINE, mutation, { id: f.id, ...args })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field,
    });
    expect(await tableCounts(stack.db.feedback)).toEqual(before);
  });

  test('an assignee unit may be a province, a district or a ward in force', async () => {
    for (const unit of ['79', '760', '26740']) {
      const f = await insertFeedback(stack.db.feedback);
      const { assignFeedback } = await ok<{ assignFeedback: { assigneeUnit: { code: string } } }>(
        stack,
        HOTLINE,
        ASSIGN,
        { id: f.id, assignee: 'HCM-DOH', unit },
      );
      expect(assignFeedback.assigneeUnit).toEqual({ code: unit });
    }
  });
});

describe('idempotency keys', () => {
  const input = () =>
    submission({ description: 'Idempotent report about a crowded market.', reporter: { phone: '0987654321' } });

  test('a replay returns the first result and creates nothing', async () => {
    const before = await tableCounts(stack.db.feedback);
    const first = (
      await ok<{ submitFeedback: Receipt }>(stack, HOTLINE, SUBMIT, { input: input(), key: 'app-7f3a-0001' })
    ).submitFeedback;
    const again = (
      await ok<{ submitFeedback: Receipt }>(stack, HOTLINE, SUBMIT, { input: input(), key: 'app-7f3a-0001' })
    ).submitFeedback;
    expect(first.replayed).toBe(false);
    expect(again).toEqual({ ...first, replayed: true });
    expect(await tableCounts(stack.db.feedback)).toEqual({
      feedback: before.feedback + 1,
      changes: before.changes + 1,
      keys: before.keys + 1,
    });
  });

  test('a replay given the document again (its pseudonym is compared) returns the first result', async () => {
    const withDocument = submission({ reporter: { document: { type: 'CCCD', number: person.documentNumber } } });
    const first = (
      await ok<{ submitFeedback: Receipt }>(stack, HOTLINE, SUBMIT, { input: withDocument, key: 'doc-key-0001' })
    ).submitFeedback;
    const again = (
      await ok<{ submitFeedback: Receipt }>(stack, HOTLINE, SUBMIT, { input: withDocument, key: 'doc-key-0001' })
    ).submitFeedback;
    expect(again.id).toBe(first.id);
    const stored = (await stack.db.feedback.query(
      `SELECT * FROM idempotency_key WHERE key = 'doc-key-0001'`,
    )) as unknown[];
    expect(JSON.stringify(stored)).not.toContain(person.documentNumber);
  });

  test('the same key with another input is a CONFLICT and creates nothing', async () => {
    await ok(stack, HOTLINE, SUBMIT, { input: input(), key: 'app-7f3a-0002' });
    const before = await tableCounts(stack.db.feedback);
    expect(
      await refused(stack, HOTLINE, SUBMIT, {
        input: { ...input(), description: 'Another report entirely.' },
        key: 'app-7f3a-0002',
      }),
    ).toEqual({
      code: 'CONFLICT',
      field: 'idempotencyKey',
      message: 'idempotencyKey was already used with a different input',
    });
    expect(await tableCounts(stack.db.feedback)).toEqual(before);
  });

  test('keys are scoped by caller: another caller’s identical key is a new submission', async () => {
    const mine = (
      await ok<{ submitFeedback: Receipt }>(stack, HOTLINE, SUBMIT, { input: input(), key: 'shared-key-0001' })
    ).submitFeedback;
    // The consumer app submits within its jurisdiction (province 79): the same report, located there.
    const theirs = (
      await ok<{ submitFeedback: Receipt }>(stack, 'dev-consumer-79', SUBMIT, {
        input: {
          ...input(),
          provinceCode: '79',
          districtCode: UNITS.hoChiMinh.district,
          wardCode: UNITS.hoChiMinh.ward,
        },
        key: 'shared-key-0001',
      })
    ).submitFeedback;
    expect(theirs.id).not.toBe(mine.id);
    expect(theirs.replayed).toBe(false);
  });

  test('concurrent calls with one key create one feedback item', async () => {
    const before = await tableCounts(stack.db.feedback);
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        stack.as(HOTLINE).query<{ submitFeedback: Receipt }>(SUBMIT, { input: input(), key: 'burst-key-0001' }),
      ),
    );
    for (const r of results) expect(r.body.errors).toBeUndefined();
    const ids = new Set(results.map((r) => r.body.data!.submitFeedback.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => !r.body.data!.submitFeedback.replayed)).toHaveLength(1);
    expect((await tableCounts(stack.db.feedback)).feedback).toBe(before.feedback + 1);
  });
});
