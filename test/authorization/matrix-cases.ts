import { calendarDay } from '../../subgraphs/kit/admin-units/dates';
import { DEMO_PEOPLE, DEMO_USER_SUBJECTS, demoInstant, demoUserId, demoUuid } from '../../subgraphs/kit/demo';
import { citizenRef } from '../../subgraphs/kit/pseudonym';
import { insertCheckpoint } from '../factories/checkpoints';
import { TEST_PSEUDONYM_KEY, testCitizenDocumentNumber, testCitizenRef } from '../factories/citizens';
import { insertFeedback } from '../factories/feedback';
import { insertMovement } from '../factories/movement';
import type { Stack } from '../stack';

/*
 * The authorisation matrix: representative operations of every subgraph (direct reads, nested reads,
 * entity joins across subgraphs, writes, statistics) × the eight seeded subjects, each cell stating
 * exactly what the subject gets. Expectations are derived from the schema's @access rules, the
 * role → scope table (subgraphs/kit/roles.ts) and the subjects' jurisdictions — not from the
 * implementation — and written out per cell.
 *
 *   subject             role                     scopes (abridged)                                       jurisdiction
 *   dev-centre-admin    centre_admin             org:* grants:* pii checkpoints:read stats               national
 *   dev-dpo             data_protection_officer  org:read grants:read declarations/movement/checkpoints/  national
 *                                                feedback:read (no pii:read → masked identity values)
 *   dev-health-01/79    health_official          pii sensitive declarations:rw movement:read+decide      province 01 / 79
 *                                                checkpoints:rw feedback:read+handle stats
 *   dev-checkpoint-01   checkpoint_officer       pii declarations/movement/checkpoints:read passages:write province 01
 *   dev-analyst         analyst                  org:read stats:read                                      national
 *   dev-hotline-01      hotline_operator         pii restricted feedback:read+write+handle                province 01 (org HN-CDC)
 *   dev-consumer-79     consumer_app             declarations:write movement:write feedback:write         province 79
 */

export type Subject = (typeof DEMO_USER_SUBJECTS)[number];
export const SUBJECTS: readonly Subject[] = DEMO_USER_SUBJECTS;

export type Vars = Record<string, unknown>;
export const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

/** Demo records (the development seed of `startStack({ demo: true })`) the rows point at. */
export interface Fixtures {
  /** `Citizen.ref` of demo person n (1-6 live in Hà Nội, 7-12 in Hồ Chí Minh City). */
  ref(person: number): string;
  /** Person 1's UNIVERSAL declaration (province 01). */
  person1Universal: string;
  /** Person 4's UNIVERSAL declaration (province 01, symptomatic, with a symptom onset). */
  person4Universal: string;
  /** Person 4's symptom onset as stored (YYYY-MM-DD, nine days ago). */
  person4Onset: string;
  /** Passage of person 1 leaving Nội Bài (checkpoint 2, province 01) on movement 1. */
  person1AtNoiBai: string;
  /** Passage of person 7 (who declared only in 79) arriving at Nội Bài on movement 3. */
  person7AtNoiBai: string;
}

export interface Cell {
  stack: Stack;
  fx: Fixtures;
  subject: Subject;
  /** Unique per cell: fresh ids, idempotency keys, documents. */
  n: number;
}

export type Outcome =
  /** No error; `check` states the data. */
  | { kind: 'data'; check: (data: unknown, cell: Cell) => void }
  /** No error; `check` states the masked values; none of `clear` appears anywhere in the response. */
  | { kind: 'masked'; check: (data: unknown) => void; clear: string[] }
  /**
   * Refused by the field rules: one FORBIDDEN error per removed field (at `paths`, list indices
   * collapsed) and nothing else; null at each path (or above it, where a non-null field bubbles).
   * `check` states the rest of the data, if any.
   */
  | { kind: 'forbidden'; paths: string[][]; check?: (data: unknown, cell: Cell) => void }
  /** A new record outside the jurisdiction: FORBIDDEN naming the input field, nothing written. */
  | { kind: 'refused'; field: string }
  /** The declared purpose is missing: FORBIDDEN with reason PURPOSE_REQUIRED. */
  | { kind: 'purposeRequired' }
  /**
   * Outside the jurisdiction: exactly the answer for a missing id (`Row.missing`) — null or an empty
   * list, plus only the FORBIDDEN errors the caller's scopes give for any record.
   */
  | { kind: 'notFound' };

export interface Row {
  /** `<subgraph> · <operation> (<path kind>)`. */
  name: string;
  query: string;
  /** The root field (for null checks). */
  root: string;
  /** Sent with an `x-purpose` header. */
  purpose?: boolean;
  vars(cell: Cell): Vars | Promise<Vars>;
  /** The same variables pointing at a record that does not exist (for `notFound` cells). */
  missing?(vars: Vars): Vars;
  /** For writes: how many records the cell wrote or changed (1 for a `data` cell, 0 otherwise). */
  effect?(cell: Cell, vars: Vars): Promise<number>;
  expect: Record<Subject, Outcome>;
}

const data = (check: (data: unknown, cell: Cell) => void): Outcome => ({ kind: 'data', check });
const equals = (expected: unknown): Outcome => data((d) => expect(d).toEqual(expected));
const forbidden = (paths: string[][], check?: (data: unknown, cell: Cell) => void): Outcome => ({
  kind: 'forbidden',
  paths,
  check,
});
/** The whole root field refused (the caller lacks its scope). */
const denied = (root: string): Outcome => forbidden([[root]]);
const NOT_FOUND: Outcome = { kind: 'notFound' };
const PURPOSE_REQUIRED: Outcome = { kind: 'purposeRequired' };

const HA_NOI = 'Thành phố Hà Nội';
const HO_CHI_MINH = 'Thành phố Hồ Chí Minh';
const NOI_BAI = 'Sân bay Quốc tế Nội Bài';
const TAN_SON_NHAT = 'Sân bay Quốc tế Tân Sơn Nhất';

const checkpointId = (n: number) => demoUuid('checkpoint', n);
const movementId = (n: number) => demoUuid('movement', n);
const feedbackId = (n: number) => demoUuid('feedback', n);

/** Demo person 1 (Nguyễn Văn An, Hà Nội): clear and masked identity values. */
const PERSON1 = { document: '001085100000', phone: '0910000000', fullName: 'Nguyễn Văn An' };
const PERSON1_MASKED = { document: '0010******00', phone: '09******00' };
/** Demo person 3's phone: the reporter of feedback 1. */
const PERSON3_PHONE = '0912469134';

export async function loadFixtures(stack: Stack): Promise<Fixtures> {
  const ref = (person: number) =>
    citizenRef({ type: 'CCCD', number: DEMO_PEOPLE[person - 1]!.documentNumber }, TEST_PSEUDONYM_KEY);
  // The seed's literals, kept here as the test's own statement of them.
  expect(DEMO_PEOPLE[0]).toMatchObject({ documentNumber: PERSON1.document, phone: PERSON1.phone });
  expect(DEMO_PEOPLE[2]!.phone).toBe(PERSON3_PHONE);
  const universal = async (person: number) => {
    const rows = (await stack.db.declarations.query(
      `SELECT id, answers->>'symptomOnset' AS onset FROM health_declaration WHERE citizen_ref = $1 AND kind = 'UNIVERSAL'`,
      [ref(person)],
    )) as { id: string; onset: string | null }[];
    expect(rows).toHaveLength(1);
    return rows[0]!;
  };
  const passage = async (movement: number, checkpoint: number) => {
    const rows = (await stack.db.checkpoints.query(
      `SELECT id FROM passage WHERE movement_declaration_id = $1 AND checkpoint_id = $2`,
      [movementId(movement), checkpointId(checkpoint)],
    )) as { id: string }[];
    expect(rows).toHaveLength(1);
    return rows[0]!.id;
  };
  const person4 = await universal(4);
  expect(person4.onset).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  return {
    ref,
    person1Universal: (await universal(1)).id,
    person4Universal: person4.id,
    person4Onset: person4.onset!,
    person1AtNoiBai: await passage(1, 2),
    person7AtNoiBai: await passage(3, 2),
  };
}

const count = async (stack: Stack, db: keyof Stack['db'], sql: string, params: unknown[]): Promise<number> =>
  ((await stack.db[db].query(`SELECT count(*)::int AS n FROM ${sql}`, params)) as { n: number }[])[0]!.n;

/** The node of a passages page with the given id (it must be on the page). */
function passageNode(d: unknown, id: string): unknown {
  const edges = (d as { passages: { edges: { node: { id: string } }[] } }).passages.edges;
  const node = edges.find((e) => e.node.id === id)?.node;
  expect(node).toBeDefined();
  return node;
}

// Statistics windows end before today: the rows' writes (today) never change the counts.
const statsFrom = () => calendarDay(demoInstant(14, 12));
const statsTo = () => calendarDay(demoInstant(1, 12));

const PASSAGES_AT = `query($cp: ID!, $from: DateTime!) {
  passages(checkpointId: $cp, from: $from, first: 200) { edges { node { id citizen { identity { fullName } } } } }
}`;
const passagesVars = () => ({
  cp: checkpointId(2),
  from: new Date(Date.now() - 20 * 86_400_000).toISOString(),
});

export const ROWS: readonly Row[] = [
  /* ───────────────────────────── organisations ───────────────────────────── */
  {
    name: 'organisations · organisation(code) with parent (direct + nested)',
    query: `{ organisation(code: "HN-DOH") { name parent { code name } } }`,
    root: 'organisation',
    vars: () => ({}),
    // org:read is every role's: the same answer for everyone.
    expect: Object.fromEntries(
      DEMO_USER_SUBJECTS.map((s) => [
        s,
        equals({
          organisation: {
            name: 'Sở Y tế Hà Nội',
            parent: { code: 'HN-PC', name: 'Ủy ban nhân dân Thành phố Hà Nội' },
          },
        }),
      ]),
    ) as Record<Subject, Outcome>,
  },
  {
    name: 'organisations · user(id) with grants and their unit (grants:read, nested)',
    query: `query($id: ID!) { user(id: $id) { subject grants { role national jurisdiction { code name } } } }`,
    root: 'user',
    vars: () => ({ id: demoUserId('dev-health-01') }),
    expect: {
      'dev-centre-admin': equals({
        user: {
          subject: 'dev-health-01',
          grants: [{ role: 'HEALTH_OFFICIAL', national: false, jurisdiction: { code: '01', name: HA_NOI } }],
        },
      }),
      'dev-dpo': equals({
        user: {
          subject: 'dev-health-01',
          grants: [{ role: 'HEALTH_OFFICIAL', national: false, jurisdiction: { code: '01', name: HA_NOI } }],
        },
      }),
      'dev-health-01': denied('user'),
      'dev-health-79': denied('user'),
      'dev-checkpoint-01': denied('user'),
      'dev-analyst': denied('user'),
      'dev-hotline-01': denied('user'),
      'dev-consumer-79': denied('user'),
    },
  },
  {
    name: 'organisations · users(organisationCode) with phone (grants:read; phone needs pii:read)',
    query: `{ users(organisationCode: "HN-DOH") { edges { node { subject phone } } } }`,
    root: 'users',
    vars: () => ({}),
    expect: {
      'dev-centre-admin': equals({ users: { edges: [{ node: { subject: 'dev-health-01', phone: '+84900000003' } }] } }),
      // The user's own phone is pii:read only (not a masked field): null + FORBIDDEN.
      'dev-dpo': forbidden([['users', 'edges', 'node', 'phone']], (d) =>
        expect(d).toEqual({ users: { edges: [{ node: { subject: 'dev-health-01', phone: null } }] } }),
      ),
      'dev-health-01': denied('users'),
      'dev-health-79': denied('users'),
      'dev-checkpoint-01': denied('users'),
      'dev-analyst': denied('users'),
      'dev-hotline-01': denied('users'),
      'dev-consumer-79': denied('users'),
    },
  },
  {
    name: 'organisations · registerOrganisation (write, org:write)',
    query: `mutation($code: ID!) { registerOrganisation(input: { code: $code, name: "Matrix test body", kind: OTHER }) { code name } }`,
    root: 'registerOrganisation',
    vars: (c) => ({ code: `MATRIX-${c.n}` }),
    effect: (c, v) => count(c.stack, 'organisations', `organisation WHERE code = $1`, [v.code]),
    expect: {
      'dev-centre-admin': data((d, c) =>
        expect(d).toEqual({ registerOrganisation: { code: `MATRIX-${c.n}`, name: 'Matrix test body' } }),
      ),
      'dev-dpo': denied('registerOrganisation'),
      'dev-health-01': denied('registerOrganisation'),
      'dev-health-79': denied('registerOrganisation'),
      'dev-checkpoint-01': denied('registerOrganisation'),
      'dev-analyst': denied('registerOrganisation'),
      'dev-hotline-01': denied('registerOrganisation'),
      'dev-consumer-79': denied('registerOrganisation'),
    },
  },

  /* ───────────────────────────── declarations ───────────────────────────── */
  {
    name: 'declarations · declaration(id) with its province (direct; unit → organisations)',
    query: `query($id: ID!) { declaration(id: $id) { id kind province { code name } } }`,
    root: 'declaration',
    vars: (c) => ({ id: c.fx.person1Universal }),
    missing: () => ({ id: UNKNOWN_ID }),
    expect: {
      'dev-centre-admin': denied('declaration'),
      'dev-dpo': data((d, c) =>
        expect(d).toEqual({
          declaration: { id: c.fx.person1Universal, kind: 'UNIVERSAL', province: { code: '01', name: HA_NOI } },
        }),
      ),
      'dev-health-01': data((d, c) =>
        expect(d).toEqual({
          declaration: { id: c.fx.person1Universal, kind: 'UNIVERSAL', province: { code: '01', name: HA_NOI } },
        }),
      ),
      'dev-health-79': NOT_FOUND,
      'dev-checkpoint-01': data((d, c) =>
        expect(d).toEqual({
          declaration: { id: c.fx.person1Universal, kind: 'UNIVERSAL', province: { code: '01', name: HA_NOI } },
        }),
      ),
      'dev-analyst': denied('declaration'),
      'dev-hotline-01': denied('declaration'),
      // declarations:write reads back what it wrote, but may not look declarations up.
      'dev-consumer-79': denied('declaration'),
    },
  },
  {
    name: 'declarations · declaration(id).symptomOnset (nested sensitive field: declarations:read + sensitive:read)',
    query: `query($id: ID!) { declaration(id: $id) { kind symptomOnset } }`,
    root: 'declaration',
    vars: (c) => ({ id: c.fx.person4Universal }),
    missing: () => ({ id: UNKNOWN_ID }),
    expect: {
      'dev-centre-admin': denied('declaration'),
      'dev-dpo': forbidden([['declaration', 'symptomOnset']], (d) =>
        expect(d).toEqual({ declaration: { kind: 'UNIVERSAL', symptomOnset: null } }),
      ),
      'dev-health-01': data((d, c) =>
        expect(d).toEqual({ declaration: { kind: 'UNIVERSAL', symptomOnset: c.fx.person4Onset } }),
      ),
      'dev-health-79': NOT_FOUND,
      'dev-checkpoint-01': forbidden([['declaration', 'symptomOnset']], (d) =>
        expect(d).toEqual({ declaration: { kind: 'UNIVERSAL', symptomOnset: null } }),
      ),
      'dev-analyst': denied('declaration'),
      'dev-hotline-01': denied('declaration'),
      'dev-consumer-79': denied('declaration'),
    },
  },
  {
    name: 'declarations · citizenByDocument identity number and phone (personal; masked without pii:read)',
    query: `query($n: String!) { citizenByDocument(type: CCCD, number: $n) { identity { document { number } phone } } }`,
    root: 'citizenByDocument',
    purpose: true,
    vars: () => ({ n: PERSON1.document }),
    missing: () => ({ n: testCitizenDocumentNumber(999_999) }),
    expect: {
      'dev-centre-admin': denied('citizenByDocument'),
      'dev-dpo': {
        kind: 'masked',
        check: (d) =>
          expect(d).toEqual({
            citizenByDocument: {
              identity: { document: { number: PERSON1_MASKED.document }, phone: PERSON1_MASKED.phone },
            },
          }),
        clear: [PERSON1.document, PERSON1.phone],
      },
      'dev-health-01': equals({
        citizenByDocument: { identity: { document: { number: PERSON1.document }, phone: PERSON1.phone } },
      }),
      // Person 1 declared only in Hà Nội.
      'dev-health-79': NOT_FOUND,
      'dev-checkpoint-01': equals({
        citizenByDocument: { identity: { document: { number: PERSON1.document }, phone: PERSON1.phone } },
      }),
      'dev-analyst': denied('citizenByDocument'),
      'dev-hotline-01': denied('citizenByDocument'),
      'dev-consumer-79': denied('citizenByDocument'),
    },
  },
  {
    name: 'declarations · citizenByDocument without x-purpose (purpose refusal is separate from scopes)',
    query: `query($n: String!) { citizenByDocument(type: CCCD, number: $n) { ref } }`,
    root: 'citizenByDocument',
    vars: () => ({ n: PERSON1.document }),
    expect: {
      // Callers without the scope are refused by the field rules, without a reason.
      'dev-centre-admin': denied('citizenByDocument'),
      'dev-dpo': PURPOSE_REQUIRED,
      'dev-health-01': PURPOSE_REQUIRED,
      // Refused before any lookup: no hint whether the person is in the jurisdiction.
      'dev-health-79': PURPOSE_REQUIRED,
      'dev-checkpoint-01': PURPOSE_REQUIRED,
      'dev-analyst': denied('citizenByDocument'),
      'dev-hotline-01': denied('citizenByDocument'),
      'dev-consumer-79': denied('citizenByDocument'),
    },
  },
  {
    name: 'declarations · declaration(id).identity number and phone (nested personal; masked without pii:read)',
    query: `query($id: ID!) { declaration(id: $id) { identity { document { number } phone } } }`,
    root: 'declaration',
    vars: (c) => ({ id: c.fx.person1Universal }),
    missing: () => ({ id: UNKNOWN_ID }),
    expect: {
      'dev-centre-admin': denied('declaration'),
      'dev-dpo': {
        kind: 'masked',
        check: (d) =>
          expect(d).toEqual({
            declaration: { identity: { document: { number: PERSON1_MASKED.document }, phone: PERSON1_MASKED.phone } },
          }),
        clear: [PERSON1.document, PERSON1.phone],
      },
      'dev-health-01': equals({
        declaration: { identity: { document: { number: PERSON1.document }, phone: PERSON1.phone } },
      }),
      'dev-health-79': NOT_FOUND,
      'dev-checkpoint-01': equals({
        declaration: { identity: { document: { number: PERSON1.document }, phone: PERSON1.phone } },
      }),
      'dev-analyst': denied('declaration'),
      'dev-hotline-01': denied('declaration'),
      'dev-consumer-79': denied('declaration'),
    },
  },
  {
    name: 'declarations · citizen(ref).monitoringPeriods (nested sensitive: declarations:read + sensitive:read)',
    query: `query($ref: ID!) { citizen(ref: $ref) { monitoringPeriods { reason } } }`,
    root: 'citizen',
    purpose: true,
    vars: (c) => ({ ref: c.fx.ref(3) }),
    missing: () => ({ ref: testCitizenRef(999_999) }),
    expect: {
      'dev-centre-admin': denied('citizen'),
      // monitoringPeriods is non-null: refusing it nulls the citizen.
      'dev-dpo': forbidden([['citizen', 'monitoringPeriods']], (d) => expect(d).toEqual({ citizen: null })),
      'dev-health-01': equals({
        citizen: { monitoringPeriods: [{ reason: 'Quarantine after entry (14 days from arrival)' }] },
      }),
      'dev-health-79': NOT_FOUND,
      'dev-checkpoint-01': forbidden([['citizen', 'monitoringPeriods']], (d) => expect(d).toEqual({ citizen: null })),
      'dev-analyst': denied('citizen'),
      'dev-hotline-01': denied('citizen'),
      'dev-consumer-79': denied('citizen'),
    },
  },
  {
    name: "declarations · citizen(ref).movements (a person's timeline; entity join → movement)",
    query: `query($ref: ID!) { citizen(ref: $ref) { movements { id status } } }`,
    root: 'citizen',
    purpose: true,
    vars: (c) => ({ ref: c.fx.ref(1) }),
    missing: () => ({ ref: testCitizenRef(999_999) }),
    expect: {
      'dev-centre-admin': denied('citizen'),
      'dev-dpo': equals({ citizen: { movements: [{ id: movementId(1), status: 'APPROVED' }] } }),
      'dev-health-01': equals({ citizen: { movements: [{ id: movementId(1), status: 'APPROVED' }] } }),
      // Person 1 declared only in 01 (their journey ends in 79, but the citizen is not visible there).
      'dev-health-79': NOT_FOUND,
      'dev-checkpoint-01': equals({ citizen: { movements: [{ id: movementId(1), status: 'APPROVED' }] } }),
      'dev-analyst': denied('citizen'),
      'dev-hotline-01': denied('citizen'),
      'dev-consumer-79': denied('citizen'),
    },
  },
  {
    name: 'declarations · submitDeclaration in province 79 (write, declarations:write)',
    query: `mutation($input: SubmitDeclarationInput!, $key: String) {
      submitDeclaration(input: $input, idempotencyKey: $key) { kind version }
    }`,
    root: 'submitDeclaration',
    vars: (c) => ({
      key: `matrix-declaration-${c.n}`,
      input: {
        kind: 'UNIVERSAL',
        questionnaireVersion: '2021-08',
        channel: 'app',
        responsibleUnit: { provinceCode: '79' },
        identity: {
          fullName: `Nguyễn Văn Ma Trận ${c.n}`,
          yearOfBirth: 1999,
          sex: 'MALE',
          nationality: 'VN',
          document: { type: 'CCCD', number: testCitizenDocumentNumber(70_000 + c.n) },
          phone: `+849${String(70_000 + c.n).padStart(8, '0')}`,
          contactAddress: { provinceCode: '79', detail: `${c.n} Đường Ma Trận` },
        },
        health: { symptoms: [] },
      },
    }),
    effect: (c) =>
      count(c.stack, 'declarations', `health_declaration WHERE citizen_ref = $1`, [testCitizenRef(70_000 + c.n)]),
    expect: {
      'dev-centre-admin': denied('submitDeclaration'),
      'dev-dpo': denied('submitDeclaration'),
      'dev-health-01': { kind: 'refused', field: 'responsibleUnit.provinceCode' },
      'dev-health-79': equals({ submitDeclaration: { kind: 'UNIVERSAL', version: 1 } }),
      'dev-checkpoint-01': denied('submitDeclaration'),
      'dev-analyst': denied('submitDeclaration'),
      'dev-hotline-01': denied('submitDeclaration'),
      'dev-consumer-79': equals({ submitDeclaration: { kind: 'UNIVERSAL', version: 1 } }),
    },
  },
  {
    name: 'declarations · declarationStats(79, by kind) (statistics; small counts for aggregate-only callers)',
    query: `query($from: Date!, $to: Date!) {
      declarationStats(unitCode: "79", from: $from, to: $to, groupBy: KIND) { kind declarations symptomatic }
    }`,
    root: 'declarationStats',
    vars: () => ({ from: statsFrom(), to: statsTo() }),
    expect: {
      // stats:read without declarations:read: counts below 5 are null.
      'dev-centre-admin': equals({
        declarationStats: [
          { kind: 'DAILY_MONITORING', declarations: 8, symptomatic: null },
          { kind: 'DOMESTIC_TRAVEL', declarations: null, symptomatic: null },
          { kind: 'ENTRY', declarations: null, symptomatic: null },
          { kind: 'UNIVERSAL', declarations: 6, symptomatic: null },
        ],
      }),
      'dev-dpo': denied('declarationStats'),
      'dev-health-01': { kind: 'refused', field: 'unitCode' },
      'dev-health-79': equals({
        declarationStats: [
          { kind: 'DAILY_MONITORING', declarations: 8, symptomatic: 2 },
          { kind: 'DOMESTIC_TRAVEL', declarations: 2, symptomatic: 0 },
          { kind: 'ENTRY', declarations: 1, symptomatic: 0 },
          { kind: 'UNIVERSAL', declarations: 6, symptomatic: 0 },
        ],
      }),
      'dev-checkpoint-01': denied('declarationStats'),
      'dev-analyst': equals({
        declarationStats: [
          { kind: 'DAILY_MONITORING', declarations: 8, symptomatic: null },
          { kind: 'DOMESTIC_TRAVEL', declarations: null, symptomatic: null },
          { kind: 'ENTRY', declarations: null, symptomatic: null },
          { kind: 'UNIVERSAL', declarations: 6, symptomatic: null },
        ],
      }),
      'dev-hotline-01': denied('declarationStats'),
      'dev-consumer-79': denied('declarationStats'),
    },
  },

  /* ───────────────────────────── movement ───────────────────────────── */
  {
    name: 'movement · movement(id) route and conveyance (direct; units → organisations; conveyance needs pii:read)',
    query: `query($id: ID!) {
      movement(id: $id) { status conveyanceId originProvince { name } destinationProvince { name } }
    }`,
    root: 'movement',
    vars: () => ({ id: movementId(1) }),
    expect: {
      'dev-centre-admin': denied('movement'),
      'dev-dpo': forbidden([['movement', 'conveyanceId']], (d) =>
        expect(d).toEqual({
          movement: {
            status: 'APPROVED',
            conveyanceId: null,
            originProvince: { name: HA_NOI },
            destinationProvince: { name: HO_CHI_MINH },
          },
        }),
      ),
      'dev-health-01': equals({
        movement: {
          status: 'APPROVED',
          conveyanceId: 'VN201',
          originProvince: { name: HA_NOI },
          destinationProvince: { name: HO_CHI_MINH },
        },
      }),
      // 01 → 79: both provinces see it.
      'dev-health-79': equals({
        movement: {
          status: 'APPROVED',
          conveyanceId: 'VN201',
          originProvince: { name: HA_NOI },
          destinationProvince: { name: HO_CHI_MINH },
        },
      }),
      'dev-checkpoint-01': equals({
        movement: {
          status: 'APPROVED',
          conveyanceId: 'VN201',
          originProvince: { name: HA_NOI },
          destinationProvince: { name: HO_CHI_MINH },
        },
      }),
      'dev-analyst': denied('movement'),
      'dev-hotline-01': denied('movement'),
      // movement:write reads back only what it wrote.
      'dev-consumer-79': denied('movement'),
    },
  },
  {
    name: 'movement · movement(id).passages and citizen.declarations (entity joins → checkpoints, → declarations)',
    query: `query($id: ID!) { movement(id: $id) { passages { checkpoint { name } } citizen { declarations { kind } } } }`,
    root: 'movement',
    purpose: true,
    vars: () => ({ id: movementId(1) }),
    expect: {
      'dev-centre-admin': denied('movement'),
      'dev-dpo': equals({
        movement: {
          passages: [{ checkpoint: { name: NOI_BAI } }, { checkpoint: { name: TAN_SON_NHAT } }],
          citizen: { declarations: [{ kind: 'UNIVERSAL' }] },
        },
      }),
      // Only the passage at the caller's province's checkpoint.
      'dev-health-01': equals({
        movement: { passages: [{ checkpoint: { name: NOI_BAI } }], citizen: { declarations: [{ kind: 'UNIVERSAL' }] } },
      }),
      // The traveller declared only in 01: through the join, the citizen is as a missing one.
      'dev-health-79': equals({ movement: { passages: [{ checkpoint: { name: TAN_SON_NHAT } }], citizen: null } }),
      'dev-checkpoint-01': equals({
        movement: { passages: [{ checkpoint: { name: NOI_BAI } }], citizen: { declarations: [{ kind: 'UNIVERSAL' }] } },
      }),
      'dev-analyst': denied('movement'),
      'dev-hotline-01': denied('movement'),
      'dev-consumer-79': denied('movement'),
    },
  },
  {
    name: 'movement · movement(id).citizen identity number and phone (entity join → declarations; masked)',
    query: `query($id: ID!) { movement(id: $id) { citizen { identity { document { number } phone } } } }`,
    root: 'movement',
    purpose: true,
    vars: () => ({ id: movementId(1) }),
    expect: {
      'dev-centre-admin': denied('movement'),
      'dev-dpo': {
        kind: 'masked',
        check: (d) =>
          expect(d).toEqual({
            movement: {
              citizen: { identity: { document: { number: PERSON1_MASKED.document }, phone: PERSON1_MASKED.phone } },
            },
          }),
        clear: [PERSON1.document, PERSON1.phone],
      },
      'dev-health-01': equals({
        movement: { citizen: { identity: { document: { number: PERSON1.document }, phone: PERSON1.phone } } },
      }),
      // The journey ends in 79, its traveller declared only in 01: no identity through the join.
      'dev-health-79': equals({ movement: { citizen: { identity: null } } }),
      'dev-checkpoint-01': equals({
        movement: { citizen: { identity: { document: { number: PERSON1.document }, phone: PERSON1.phone } } },
      }),
      'dev-analyst': denied('movement'),
      'dev-hotline-01': denied('movement'),
      'dev-consumer-79': denied('movement'),
    },
  },
  {
    name: 'movement · passengersOnConveyance(VN201) (bulk personal search: movement:read + pii:read)',
    query: `query($date: Date!) { passengersOnConveyance(conveyanceId: "VN 201", date: $date) { id seat } }`,
    root: 'passengersOnConveyance',
    purpose: true,
    vars: () => ({ date: calendarDay(demoInstant(12, 7)) }),
    expect: {
      'dev-centre-admin': denied('passengersOnConveyance'),
      'dev-dpo': denied('passengersOnConveyance'),
      'dev-health-01': equals({
        passengersOnConveyance: [
          { id: movementId(1), seat: '12A' },
          { id: movementId(2), seat: '14C' },
        ],
      }),
      'dev-health-79': equals({
        passengersOnConveyance: [
          { id: movementId(1), seat: '12A' },
          { id: movementId(2), seat: '14C' },
        ],
      }),
      'dev-checkpoint-01': equals({
        passengersOnConveyance: [
          { id: movementId(1), seat: '12A' },
          { id: movementId(2), seat: '14C' },
        ],
      }),
      'dev-analyst': denied('passengersOnConveyance'),
      'dev-hotline-01': denied('passengersOnConveyance'),
      'dev-consumer-79': denied('passengersOnConveyance'),
    },
  },
  {
    name: 'movement · declareMovement 79 → 01 (write, movement:write)',
    query: `mutation($input: DeclareMovementInput!, $key: String) {
      declareMovement(input: $input, idempotencyKey: $key) { status }
    }`,
    root: 'declareMovement',
    vars: (c) => ({
      key: `matrix-movement-${c.n}`,
      input: {
        citizen: { type: 'CCCD', number: testCitizenDocumentNumber(80_000 + c.n) },
        mode: 'PLANE',
        conveyanceId: `VN${7000 + c.n}`,
        departAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
        origin: { provinceCode: '79' },
        destination: { provinceCode: '01' },
      },
    }),
    effect: (c) => count(c.stack, 'movement', `movement_declaration WHERE conveyance_id = $1`, [`VN${7000 + c.n}`]),
    expect: {
      'dev-centre-admin': denied('declareMovement'),
      'dev-dpo': denied('declareMovement'),
      'dev-health-01': denied('declareMovement'),
      'dev-health-79': denied('declareMovement'),
      'dev-checkpoint-01': denied('declareMovement'),
      'dev-analyst': denied('declareMovement'),
      'dev-hotline-01': denied('declareMovement'),
      'dev-consumer-79': equals({ declareMovement: { status: 'DECLARED' } }),
    },
  },
  {
    name: 'movement · rejectMovement of a fresh 01 → 48 journey (write, movement:decide + jurisdiction)',
    query: `mutation($id: ID!) { rejectMovement(id: $id, reason: "matrix test") { status } }`,
    root: 'rejectMovement',
    vars: async (c) => {
      const row = await insertMovement(c.stack.db.movement, {
        originProvinceCode: '01',
        originDistrictCode: null,
        originWardCode: null,
        destinationProvinceCode: '48',
        destinationDistrictCode: null,
        destinationWardCode: null,
      });
      return { id: row.id };
    },
    missing: () => ({ id: UNKNOWN_ID }),
    effect: (c, v) => count(c.stack, 'movement', `movement_declaration WHERE id = $1 AND status = 'REJECTED'`, [v.id]),
    expect: {
      'dev-centre-admin': denied('rejectMovement'),
      'dev-dpo': denied('rejectMovement'),
      'dev-health-01': equals({ rejectMovement: { status: 'REJECTED' } }),
      'dev-health-79': NOT_FOUND,
      'dev-checkpoint-01': denied('rejectMovement'),
      'dev-analyst': denied('rejectMovement'),
      'dev-hotline-01': denied('rejectMovement'),
      'dev-consumer-79': denied('rejectMovement'),
    },
  },

  /* ───────────────────────────── checkpoints ───────────────────────────── */
  {
    name: 'checkpoints · checkpoint(id) with operator organisation (direct; → organisations)',
    query: `query($id: ID!) { checkpoint(id: $id) { name status operator { code name } } }`,
    root: 'checkpoint',
    vars: () => ({ id: checkpointId(5) }),
    missing: () => ({ id: UNKNOWN_ID }),
    expect: {
      'dev-centre-admin': equals({
        checkpoint: {
          name: TAN_SON_NHAT,
          status: 'ACTIVE',
          operator: { code: 'HCM-DOH', name: 'Sở Y tế Thành phố Hồ Chí Minh' },
        },
      }),
      'dev-dpo': equals({
        checkpoint: {
          name: TAN_SON_NHAT,
          status: 'ACTIVE',
          operator: { code: 'HCM-DOH', name: 'Sở Y tế Thành phố Hồ Chí Minh' },
        },
      }),
      'dev-health-01': NOT_FOUND,
      'dev-health-79': equals({
        checkpoint: {
          name: TAN_SON_NHAT,
          status: 'ACTIVE',
          operator: { code: 'HCM-DOH', name: 'Sở Y tế Thành phố Hồ Chí Minh' },
        },
      }),
      'dev-checkpoint-01': NOT_FOUND,
      'dev-analyst': denied('checkpoint'),
      'dev-hotline-01': denied('checkpoint'),
      'dev-consumer-79': denied('checkpoint'),
    },
  },
  {
    name: 'checkpoints · checkpoint(id).operators subject (nested; User → organisations, subject needs grants:read)',
    query: `query($id: ID!) { checkpoint(id: $id) { name operators { subject } } }`,
    root: 'checkpoint',
    vars: () => ({ id: checkpointId(1) }),
    missing: () => ({ id: UNKNOWN_ID }),
    expect: {
      'dev-centre-admin': equals({
        checkpoint: {
          name: 'Chốt kiểm soát cửa ngõ Pháp Vân – Cầu Giẽ',
          operators: [{ subject: 'dev-checkpoint-01' }],
        },
      }),
      'dev-dpo': equals({
        checkpoint: {
          name: 'Chốt kiểm soát cửa ngõ Pháp Vân – Cầu Giẽ',
          operators: [{ subject: 'dev-checkpoint-01' }],
        },
      }),
      // User.subject is non-null: the refused field nulls the list item.
      'dev-health-01': forbidden([['checkpoint', 'operators', 'subject']], (d) =>
        expect(d).toEqual({ checkpoint: { name: 'Chốt kiểm soát cửa ngõ Pháp Vân – Cầu Giẽ', operators: [null] } }),
      ),
      'dev-health-79': NOT_FOUND,
      'dev-checkpoint-01': forbidden([['checkpoint', 'operators', 'subject']], (d) =>
        expect(d).toEqual({ checkpoint: { name: 'Chốt kiểm soát cửa ngõ Pháp Vân – Cầu Giẽ', operators: [null] } }),
      ),
      'dev-analyst': denied('checkpoint'),
      'dev-hotline-01': denied('checkpoint'),
      'dev-consumer-79': denied('checkpoint'),
    },
  },
  {
    name: "checkpoints · passages(Nội Bài) → a passage's citizen identity (entity join → declarations)",
    query: PASSAGES_AT,
    root: 'passages',
    purpose: true,
    vars: passagesVars,
    missing: (v) => ({ ...v, cp: UNKNOWN_ID }),
    expect: {
      // May see the passage, not the declared identity (no declarations:read).
      'dev-centre-admin': forbidden([['passages', 'edges', 'node', 'citizen', 'identity']], (d, c) =>
        expect(passageNode(d, c.fx.person1AtNoiBai)).toEqual({
          id: c.fx.person1AtNoiBai,
          citizen: { identity: null },
        }),
      ),
      // May see the identity, not the name (no pii:read); fullName is non-null: identity is null.
      'dev-dpo': forbidden([['passages', 'edges', 'node', 'citizen', 'identity', 'fullName']], (d, c) =>
        expect(passageNode(d, c.fx.person1AtNoiBai)).toEqual({
          id: c.fx.person1AtNoiBai,
          citizen: { identity: null },
        }),
      ),
      'dev-health-01': data((d, c) =>
        expect(passageNode(d, c.fx.person1AtNoiBai)).toEqual({
          id: c.fx.person1AtNoiBai,
          citizen: { identity: { fullName: PERSON1.fullName } },
        }),
      ),
      'dev-health-79': NOT_FOUND,
      'dev-checkpoint-01': data((d, c) =>
        expect(passageNode(d, c.fx.person1AtNoiBai)).toEqual({
          id: c.fx.person1AtNoiBai,
          citizen: { identity: { fullName: PERSON1.fullName } },
        }),
      ),
      'dev-analyst': denied('passages'),
      'dev-hotline-01': denied('passages'),
      'dev-consumer-79': denied('passages'),
    },
  },
  {
    name: "checkpoints · passages(Nội Bài) → the citizen of a 79 resident's passage (entity join outside jurisdiction)",
    query: PASSAGES_AT,
    root: 'passages',
    purpose: true,
    vars: passagesVars,
    missing: (v) => ({ ...v, cp: UNKNOWN_ID }),
    expect: {
      'dev-centre-admin': forbidden([['passages', 'edges', 'node', 'citizen', 'identity']], (d, c) =>
        expect(passageNode(d, c.fx.person7AtNoiBai)).toEqual({
          id: c.fx.person7AtNoiBai,
          citizen: { identity: null },
        }),
      ),
      'dev-dpo': forbidden([['passages', 'edges', 'node', 'citizen', 'identity', 'fullName']], (d, c) =>
        expect(passageNode(d, c.fx.person7AtNoiBai)).toEqual({
          id: c.fx.person7AtNoiBai,
          citizen: { identity: null },
        }),
      ),
      // The passage is in 01, the person declared only in 79: the declarations subgraph resolves the
      // citizen as a missing one (no identity), as for a ref it does not know.
      'dev-health-01': data((d, c) =>
        expect(passageNode(d, c.fx.person7AtNoiBai)).toEqual({
          id: c.fx.person7AtNoiBai,
          citizen: { identity: null },
        }),
      ),
      'dev-health-79': NOT_FOUND,
      'dev-checkpoint-01': data((d, c) =>
        expect(passageNode(d, c.fx.person7AtNoiBai)).toEqual({
          id: c.fx.person7AtNoiBai,
          citizen: { identity: null },
        }),
      ),
      'dev-analyst': denied('passages'),
      'dev-hotline-01': denied('passages'),
      'dev-consumer-79': denied('passages'),
    },
  },
  {
    name: 'checkpoints · coPresence(Pháp Vân, person 1) (contact tracing: checkpoints:read + sensitive:read)',
    query: `query($cp: ID!, $ref: ID!) {
      coPresence(checkpointId: $cp, citizenRef: $ref, windowMinutes: 30) { contacts { passage { citizen { ref } } secondsApart } }
    }`,
    root: 'coPresence',
    purpose: true,
    vars: (c) => ({ cp: checkpointId(1), ref: c.fx.ref(1) }),
    missing: (v) => ({ ...v, cp: UNKNOWN_ID }),
    expect: {
      'dev-centre-admin': denied('coPresence'),
      'dev-dpo': denied('coPresence'),
      // The cluster two days ago at 08:00: person 2 ten minutes, person 3 twenty-five minutes after person 1.
      'dev-health-01': data((d, c) =>
        expect((d as { coPresence: { contacts: unknown[] } }).coPresence.contacts).toEqual(
          expect.arrayContaining([
            { passage: { citizen: { ref: c.fx.ref(2) } }, secondsApart: 600 },
            { passage: { citizen: { ref: c.fx.ref(3) } }, secondsApart: 1500 },
          ]),
        ),
      ),
      'dev-health-79': NOT_FOUND,
      // No sensitive:read.
      'dev-checkpoint-01': denied('coPresence'),
      'dev-analyst': denied('coPresence'),
      'dev-hotline-01': denied('coPresence'),
      'dev-consumer-79': denied('coPresence'),
    },
  },
  {
    name: 'checkpoints · organisation(HN-PC).checkpoints (nested; organisations → checkpoints)',
    query: `{ organisation(code: "HN-PC") { name checkpoints { name } } }`,
    root: 'organisation',
    vars: () => ({}),
    expect: {
      'dev-centre-admin': equals({
        organisation: {
          name: 'Ủy ban nhân dân Thành phố Hà Nội',
          checkpoints: [{ name: 'Chốt kiểm soát cửa ngõ Pháp Vân – Cầu Giẽ' }],
        },
      }),
      'dev-dpo': equals({
        organisation: {
          name: 'Ủy ban nhân dân Thành phố Hà Nội',
          checkpoints: [{ name: 'Chốt kiểm soát cửa ngõ Pháp Vân – Cầu Giẽ' }],
        },
      }),
      'dev-health-01': equals({
        organisation: {
          name: 'Ủy ban nhân dân Thành phố Hà Nội',
          checkpoints: [{ name: 'Chốt kiểm soát cửa ngõ Pháp Vân – Cầu Giẽ' }],
        },
      }),
      // HN-PC's only checkpoint is in 01.
      'dev-health-79': equals({ organisation: { name: 'Ủy ban nhân dân Thành phố Hà Nội', checkpoints: [] } }),
      'dev-checkpoint-01': equals({
        organisation: {
          name: 'Ủy ban nhân dân Thành phố Hà Nội',
          checkpoints: [{ name: 'Chốt kiểm soát cửa ngõ Pháp Vân – Cầu Giẽ' }],
        },
      }),
      // checkpoints is non-null: refusing it nulls the organisation.
      'dev-analyst': forbidden([['organisation', 'checkpoints']], (d) => expect(d).toEqual({ organisation: null })),
      'dev-hotline-01': forbidden([['organisation', 'checkpoints']], (d) => expect(d).toEqual({ organisation: null })),
      'dev-consumer-79': forbidden([['organisation', 'checkpoints']], (d) => expect(d).toEqual({ organisation: null })),
    },
  },
  {
    name: "checkpoints · passages(Nội Bài) → a passage's movement declaration (entity join → movement)",
    query: `query($cp: ID!, $from: DateTime!) {
      passages(checkpointId: $cp, from: $from, first: 200) { edges { node { id movementDeclaration { status conveyanceId } } } }
    }`,
    root: 'passages',
    purpose: true,
    vars: passagesVars,
    missing: (v) => ({ ...v, cp: UNKNOWN_ID }),
    expect: {
      // checkpoints:read, but a movement declaration needs movement:read.
      'dev-centre-admin': forbidden([['passages', 'edges', 'node', 'movementDeclaration']], (d, c) =>
        expect(passageNode(d, c.fx.person7AtNoiBai)).toEqual({ id: c.fx.person7AtNoiBai, movementDeclaration: null }),
      ),
      'dev-dpo': forbidden([['passages', 'edges', 'node', 'movementDeclaration', 'conveyanceId']], (d, c) =>
        expect(passageNode(d, c.fx.person7AtNoiBai)).toEqual({
          id: c.fx.person7AtNoiBai,
          movementDeclaration: { status: 'EXPIRED', conveyanceId: null },
        }),
      ),
      // Movement 3 flew 79 → 01 ten days ago and was valid for a day after arrival.
      'dev-health-01': data((d, c) =>
        expect(passageNode(d, c.fx.person7AtNoiBai)).toEqual({
          id: c.fx.person7AtNoiBai,
          movementDeclaration: { status: 'EXPIRED', conveyanceId: 'VN210' },
        }),
      ),
      'dev-health-79': NOT_FOUND,
      'dev-checkpoint-01': data((d, c) =>
        expect(passageNode(d, c.fx.person7AtNoiBai)).toEqual({
          id: c.fx.person7AtNoiBai,
          movementDeclaration: { status: 'EXPIRED', conveyanceId: 'VN210' },
        }),
      ),
      'dev-analyst': denied('passages'),
      'dev-hotline-01': denied('passages'),
      'dev-consumer-79': denied('passages'),
    },
  },
  {
    name: 'checkpoints · recordPassage at Pháp Vân (write, passages:write; officer assigned there)',
    query: `mutation($input: PassageInput!, $key: String) { recordPassage(input: $input, idempotencyKey: $key) { decision } }`,
    root: 'recordPassage',
    vars: (c) => ({
      key: `matrix-passage-${c.n}`,
      input: {
        checkpointId: checkpointId(1),
        citizenRef: testCitizenRef(90_000 + c.n),
        direction: 'IN',
        scannedAt: new Date(Date.now() - 3_600_000).toISOString(),
        credentialType: 'PERSONAL_QR',
        decision: 'ALLOWED',
        deviceId: 'matrix-device',
        devicePassageId: `matrix-${c.n}`,
      },
    }),
    effect: (c) => count(c.stack, 'checkpoints', `passage WHERE device_passage_id = $1`, [`matrix-${c.n}`]),
    expect: {
      'dev-centre-admin': denied('recordPassage'),
      'dev-dpo': denied('recordPassage'),
      // checkpoints:write manages checkpoints; recording scans is passages:write.
      'dev-health-01': denied('recordPassage'),
      'dev-health-79': denied('recordPassage'),
      'dev-checkpoint-01': equals({ recordPassage: { decision: 'ALLOWED' } }),
      'dev-analyst': denied('recordPassage'),
      'dev-hotline-01': denied('recordPassage'),
      'dev-consumer-79': denied('recordPassage'),
    },
  },
  {
    name: 'checkpoints · closeCheckpoint of a fresh 01 checkpoint (write, checkpoints:write + jurisdiction)',
    query: `mutation($id: ID!) { closeCheckpoint(id: $id, reason: "matrix test") { status } }`,
    root: 'closeCheckpoint',
    vars: async (c) => {
      const row = await insertCheckpoint(c.stack.db.checkpoints, {
        provinceCode: '01',
        districtCode: null,
        wardCode: null,
      });
      return { id: row.id };
    },
    missing: () => ({ id: UNKNOWN_ID }),
    effect: (c, v) => count(c.stack, 'checkpoints', `checkpoint WHERE id = $1 AND status = 'CLOSED'`, [v.id]),
    expect: {
      'dev-centre-admin': denied('closeCheckpoint'),
      'dev-dpo': denied('closeCheckpoint'),
      'dev-health-01': equals({ closeCheckpoint: { status: 'CLOSED' } }),
      'dev-health-79': NOT_FOUND,
      'dev-checkpoint-01': denied('closeCheckpoint'),
      'dev-analyst': denied('closeCheckpoint'),
      'dev-hotline-01': denied('closeCheckpoint'),
      'dev-consumer-79': denied('closeCheckpoint'),
    },
  },

  /* ───────────────────────────── feedback ───────────────────────────── */
  {
    name: 'feedback · feedback(id) with assignee organisation (direct; → organisations)',
    query: `query($id: ID!) { feedback(id: $id) { category status assignee { code name } } }`,
    root: 'feedback',
    vars: () => ({ id: feedbackId(1) }),
    missing: () => ({ id: UNKNOWN_ID }),
    expect: {
      'dev-centre-admin': denied('feedback'),
      'dev-dpo': equals({
        feedback: {
          category: 'QUARANTINE_BREACH',
          status: 'IN_PROGRESS',
          assignee: { code: 'HN-CDC', name: 'Trung tâm Kiểm soát bệnh tật Hà Nội' },
        },
      }),
      'dev-health-01': equals({
        feedback: {
          category: 'QUARANTINE_BREACH',
          status: 'IN_PROGRESS',
          assignee: { code: 'HN-CDC', name: 'Trung tâm Kiểm soát bệnh tật Hà Nội' },
        },
      }),
      // Reported in 01 and assigned to HN-CDC, not to the caller's HCM-DOH.
      'dev-health-79': NOT_FOUND,
      'dev-checkpoint-01': denied('feedback'),
      'dev-analyst': denied('feedback'),
      'dev-hotline-01': equals({
        feedback: {
          category: 'QUARANTINE_BREACH',
          status: 'IN_PROGRESS',
          assignee: { code: 'HN-CDC', name: 'Trung tâm Kiểm soát bệnh tật Hà Nội' },
        },
      }),
      'dev-consumer-79': denied('feedback'),
    },
  },
  {
    name: 'feedback · feedback(id) reporter and reportedPerson (restricted; reportedPerson → declarations identity)',
    query: `query($id: ID!) {
      feedback(id: $id) { status reporter { kind phone } reportedPerson { ref identity { fullName } } }
    }`,
    root: 'feedback',
    vars: () => ({ id: feedbackId(1) }),
    missing: () => ({ id: UNKNOWN_ID }),
    expect: {
      'dev-centre-admin': denied('feedback'),
      'dev-dpo': forbidden(
        [
          ['feedback', 'reporter'],
          ['feedback', 'reportedPerson'],
        ],
        (d) => expect(d).toEqual({ feedback: { status: 'IN_PROGRESS', reporter: null, reportedPerson: null } }),
      ),
      'dev-health-01': forbidden(
        [
          ['feedback', 'reporter'],
          ['feedback', 'reportedPerson'],
        ],
        (d) => expect(d).toEqual({ feedback: { status: 'IN_PROGRESS', reporter: null, reportedPerson: null } }),
      ),
      'dev-health-79': NOT_FOUND,
      'dev-checkpoint-01': denied('feedback'),
      'dev-analyst': denied('feedback'),
      // restricted:read and pii:read: the clear phone and the person; their declared identity needs
      // declarations:read.
      'dev-hotline-01': forbidden([['feedback', 'reportedPerson', 'identity']], (d, c) =>
        expect(d).toEqual({
          feedback: {
            status: 'IN_PROGRESS',
            reporter: { kind: 'PHONE', phone: PERSON3_PHONE },
            reportedPerson: { ref: c.fx.ref(2), identity: null },
          },
        }),
      ),
      'dev-consumer-79': denied('feedback'),
    },
  },
  {
    name: 'feedback · organisation(HN-CDC).assignedFeedback (nested; organisations → feedback)',
    query: `{ organisation(code: "HN-CDC") { name assignedFeedback { id status } } }`,
    root: 'organisation',
    vars: () => ({}),
    expect: {
      // assignedFeedback is non-null: refusing it nulls the organisation.
      'dev-centre-admin': forbidden([['organisation', 'assignedFeedback']], (d) =>
        expect(d).toEqual({ organisation: null }),
      ),
      'dev-dpo': equals({
        organisation: {
          name: 'Trung tâm Kiểm soát bệnh tật Hà Nội',
          assignedFeedback: [
            { id: feedbackId(1), status: 'IN_PROGRESS' },
            { id: feedbackId(2), status: 'RESOLVED' },
            { id: feedbackId(11), status: 'RESOLVED' },
            { id: feedbackId(15), status: 'RESOLVED' },
          ],
        },
      }),
      'dev-health-01': equals({
        organisation: {
          name: 'Trung tâm Kiểm soát bệnh tật Hà Nội',
          assignedFeedback: [
            { id: feedbackId(1), status: 'IN_PROGRESS' },
            { id: feedbackId(2), status: 'RESOLVED' },
            { id: feedbackId(11), status: 'RESOLVED' },
            { id: feedbackId(15), status: 'RESOLVED' },
          ],
        },
      }),
      // All of HN-CDC's items are in 01: none in the caller's jurisdiction.
      'dev-health-79': equals({ organisation: { name: 'Trung tâm Kiểm soát bệnh tật Hà Nội', assignedFeedback: [] } }),
      'dev-checkpoint-01': forbidden([['organisation', 'assignedFeedback']], (d) =>
        expect(d).toEqual({ organisation: null }),
      ),
      'dev-analyst': forbidden([['organisation', 'assignedFeedback']], (d) =>
        expect(d).toEqual({ organisation: null }),
      ),
      'dev-hotline-01': equals({
        organisation: {
          name: 'Trung tâm Kiểm soát bệnh tật Hà Nội',
          assignedFeedback: [
            { id: feedbackId(1), status: 'IN_PROGRESS' },
            { id: feedbackId(2), status: 'RESOLVED' },
            { id: feedbackId(11), status: 'RESOLVED' },
            { id: feedbackId(15), status: 'RESOLVED' },
          ],
        },
      }),
      'dev-consumer-79': forbidden([['organisation', 'assignedFeedback']], (d) =>
        expect(d).toEqual({ organisation: null }),
      ),
    },
  },
  {
    name: 'feedback · submitFeedback in province 79 (write, feedback:write)',
    query: `mutation($input: SubmitFeedbackInput!, $key: String) { submitFeedback(input: $input, idempotencyKey: $key) { status replayed } }`,
    root: 'submitFeedback',
    vars: (c) => ({
      key: `matrix-feedback-${c.n}`,
      input: {
        channel: 'APP',
        category: 'OTHER',
        description: `Matrix feedback ${c.n}`,
        provinceCode: '79',
        reporter: { anonymous: true },
      },
    }),
    effect: (c) => count(c.stack, 'feedback', `feedback WHERE description = $1`, [`Matrix feedback ${c.n}`]),
    expect: {
      'dev-centre-admin': denied('submitFeedback'),
      'dev-dpo': denied('submitFeedback'),
      'dev-health-01': denied('submitFeedback'),
      'dev-health-79': denied('submitFeedback'),
      'dev-checkpoint-01': denied('submitFeedback'),
      'dev-analyst': denied('submitFeedback'),
      'dev-hotline-01': { kind: 'refused', field: 'input.provinceCode' },
      'dev-consumer-79': equals({ submitFeedback: { status: 'RECEIVED', replayed: false } }),
    },
  },
  {
    name: 'feedback · transitionFeedback of a fresh 01 item to REJECTED (write, feedback:handle + jurisdiction)',
    query: `mutation($id: ID!) { transitionFeedback(id: $id, to: REJECTED, note: "matrix test") { status } }`,
    root: 'transitionFeedback',
    vars: async (c) => ({ id: (await insertFeedback(c.stack.db.feedback)).id }),
    missing: () => ({ id: UNKNOWN_ID }),
    effect: (c, v) => count(c.stack, 'feedback', `feedback WHERE id = $1 AND status = 'REJECTED'`, [v.id]),
    expect: {
      'dev-centre-admin': denied('transitionFeedback'),
      'dev-dpo': denied('transitionFeedback'),
      'dev-health-01': equals({ transitionFeedback: { status: 'REJECTED' } }),
      'dev-health-79': NOT_FOUND,
      'dev-checkpoint-01': denied('transitionFeedback'),
      'dev-analyst': denied('transitionFeedback'),
      'dev-hotline-01': equals({ transitionFeedback: { status: 'REJECTED' } }),
      'dev-consumer-79': denied('transitionFeedback'),
    },
  },
  {
    name: 'feedback · feedbackStats(79, by status) (statistics; small counts for aggregate-only callers)',
    query: `query($from: DateTime!, $to: DateTime!) {
      feedbackStats(unitCode: "79", from: $from, to: $to, groupBy: STATUS) { total buckets { key count } }
    }`,
    root: 'feedbackStats',
    vars: () => ({ from: demoInstant(15, 0).toISOString(), to: demoInstant(0, 0).toISOString() }),
    expect: {
      'dev-centre-admin': equals({
        feedbackStats: {
          total: 15,
          buckets: [
            { key: 'RECEIVED', count: null },
            { key: 'ASSIGNED', count: null },
            { key: 'IN_PROGRESS', count: null },
            { key: 'RESOLVED', count: 6 },
            { key: 'REJECTED', count: null },
            { key: 'DUPLICATE', count: null },
          ],
        },
      }),
      'dev-dpo': equals({
        feedbackStats: {
          total: 15,
          buckets: [
            { key: 'RECEIVED', count: 2 },
            { key: 'ASSIGNED', count: 2 },
            { key: 'IN_PROGRESS', count: 3 },
            { key: 'RESOLVED', count: 6 },
            { key: 'REJECTED', count: 1 },
            { key: 'DUPLICATE', count: 1 },
          ],
        },
      }),
      // Counts only what the caller may read: none of 79's items is assigned to HN-DOH.
      'dev-health-01': equals({ feedbackStats: { total: 0, buckets: [] } }),
      'dev-health-79': equals({
        feedbackStats: {
          total: 15,
          buckets: [
            { key: 'RECEIVED', count: 2 },
            { key: 'ASSIGNED', count: 2 },
            { key: 'IN_PROGRESS', count: 3 },
            { key: 'RESOLVED', count: 6 },
            { key: 'REJECTED', count: 1 },
            { key: 'DUPLICATE', count: 1 },
          ],
        },
      }),
      'dev-checkpoint-01': denied('feedbackStats'),
      'dev-analyst': equals({
        feedbackStats: {
          total: 15,
          buckets: [
            { key: 'RECEIVED', count: null },
            { key: 'ASSIGNED', count: null },
            { key: 'IN_PROGRESS', count: null },
            { key: 'RESOLVED', count: 6 },
            { key: 'REJECTED', count: null },
            { key: 'DUPLICATE', count: null },
          ],
        },
      }),
      'dev-hotline-01': equals({ feedbackStats: { total: 0, buckets: [] } }),
      'dev-consumer-79': denied('feedbackStats'),
    },
  },
];
