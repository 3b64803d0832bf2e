import { DEMO_PEOPLE, type DemoPerson } from '../../subgraphs/kit/demo';
import { citizenRef } from '../../subgraphs/kit/pseudonym';
import { SUBGRAPHS, type SubgraphName } from '../../subgraphs/kit/module';
import { TEST_PSEUDONYM_KEY } from '../factories/citizens';
import { startStack, type Stack } from '../stack';

/**
 * The data subject's rights through the graph (DESIGN §5.6): the access log each subgraph
 * contributes to `Citizen.accessLog`, a complete export across subgraphs, correction and erasure,
 * served by the data-protection officer (national grant, declared purpose), on the demo data set.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ demo: true });
});
afterAll(async () => {
  await stack?.stop();
});

const refOf = (p: DemoPerson) => citizenRef({ type: 'CCCD', number: p.documentNumber }, TEST_PSEUDONYM_KEY);

/** Rows about the person, per table, read as the owner (the ground truth the graph must match). */
async function holdings(ref: string): Promise<Record<string, number>> {
  const count = async (name: SubgraphName, sql: string) =>
    Number(((await stack.db[name].query(sql, [ref])) as { n: string }[])[0]!.n);
  return {
    citizen: await count('declarations', 'SELECT count(*) AS n FROM citizen WHERE ref = $1'),
    identitySnapshots: await count(
      'declarations',
      'SELECT count(*) AS n FROM identity_snapshot WHERE citizen_ref = $1',
    ),
    declarations: await count('declarations', 'SELECT count(*) AS n FROM health_declaration WHERE citizen_ref = $1'),
    monitoringPeriods: await count(
      'declarations',
      'SELECT count(*) AS n FROM monitoring_period WHERE citizen_ref = $1',
    ),
    movements: await count('movement', 'SELECT count(*) AS n FROM movement_declaration WHERE citizen_ref = $1'),
    companionOf: await count(
      'movement',
      'SELECT count(*) AS n FROM movement_declaration WHERE $1 = ANY (companion_refs)',
    ),
    passages: await count('checkpoints', 'SELECT count(*) AS n FROM passage WHERE citizen_ref = $1'),
    feedbackReported: await count('feedback', 'SELECT count(*) AS n FROM feedback WHERE reporter_ref = $1'),
    feedbackAbout: await count('feedback', 'SELECT count(*) AS n FROM feedback WHERE reported_ref = $1'),
  };
}

/** The demo people with records in every subgraph (the seed is deterministic, so is this list). */
async function peopleEverywhere(): Promise<DemoPerson[]> {
  const out: DemoPerson[] = [];
  for (const p of DEMO_PEOPLE) {
    const h = await holdings(refOf(p));
    if (h.declarations && h.movements && h.passages && h.feedbackReported + h.feedbackAbout) out.push(p);
  }
  return out;
}

const DSR = { purpose: 'DSR-2026-0042' };

const ACCESS_LOG = `query ($ref: ID!) {
  dataSubject(ref: $ref) {
    ref
    accessLog {
      declarations { at actor organisation purpose entityType entityId fields requestId }
      movement { actor purpose entityType fields }
      checkpoints { actor purpose entityType fields }
      feedback { actor purpose entityType fields }
    }
  }
}`;

type Entry = { actor: string; purpose: string | null; entityType: string; fields: string[]; requestId?: string };
type AccessLog = {
  dataSubject: {
    ref: string;
    accessLog: { declarations: Entry[]; movement: Entry[]; checkpoints: Entry[]; feedback: Entry[] };
  };
};

const EXPORT = `query ($ref: ID!) {
  dataSubject(ref: $ref) {
    records {
      declarations { entityType id data }
      movement { entityType id data }
      checkpoints { entityType id data }
      feedback { entityType id data }
    }
  }
}`;
type Rec = { entityType: string; id: string; data: Record<string, unknown> };
type Export = {
  dataSubject: { records: { declarations: Rec[]; movement: Rec[]; checkpoints: Rec[]; feedback: Rec[] } };
};

const staffTimeline = `query ($number: String!) {
  citizenByDocument(type: CCCD, number: $number) {
    ref
    identity { fullName phone document { number } }
    declarations { id }
    movements { id }
    passages { id }
  }
}`;

const FEEDBACK_ABOUT = `query ($id: ID!) { feedback(id: $id) { id reportedPerson { ref } } }`;

let person: DemoPerson;
let ref: string;
let healthOfficial: string;

beforeAll(async () => {
  const candidates = await peopleEverywhere();
  expect(candidates.length).toBeGreaterThan(0);
  person = candidates[0]!;
  ref = refOf(person);
  healthOfficial = person.provinceCode === '01' ? 'dev-health-01' : 'dev-health-79';
});

describe('access log', () => {
  test("each subgraph contributes who read the person's records, when and why", async () => {
    const read = await stack.as(healthOfficial, { purpose: 'contact-tracing' }).query(staffTimeline, {
      number: person.documentNumber,
    });
    expect(read.body.errors).toBeUndefined();
    const readRequestId = read.headers.get('x-request-id');

    const res = await stack.as('dev-dpo', DSR).query<AccessLog>(ACCESS_LOG, { ref });
    expect(res.body.errors).toBeUndefined();
    const log = res.body.data!.dataSubject.accessLog;
    const byOfficial = (entries: Entry[]) =>
      entries.filter((e) => e.actor === healthOfficial && e.purpose === 'contact-tracing');

    const decl = byOfficial(log.declarations);
    expect(decl.map((e) => e.entityType)).toEqual(expect.arrayContaining(['Citizen', 'IdentitySnapshot']));
    expect(decl.every((e) => e.requestId === readRequestId)).toBe(true);
    expect(decl.find((e) => e.entityType === 'Citizen')!.fields).toEqual(
      expect.arrayContaining(['identity', 'declarations']),
    );
    expect(byOfficial(log.movement).map((e) => e.entityType)).toContain('Citizen');
    expect(byOfficial(log.checkpoints).map((e) => e.entityType)).toContain('Citizen');
    // newest first
    const times = log.declarations.map((e) => Date.parse((e as unknown as { at: string }).at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  test('feedback reads that name the person appear in the feedback section', async () => {
    const [row] = (await stack.db.feedback.query(
      'SELECT id FROM feedback WHERE reported_ref = $1 OR reporter_ref = $1 ORDER BY id LIMIT 1',
      [ref],
    )) as { id: string }[];
    const read = await stack.as('dev-hotline-01', { purpose: 'complaint-handling' }).query(FEEDBACK_ABOUT, {
      id: row!.id,
    });
    expect(read.body.errors).toBeUndefined();
    const res = await stack.as('dev-dpo', DSR).query<AccessLog>(ACCESS_LOG, { ref });
    const entries = res.body.data!.dataSubject.accessLog.feedback;
    expect(entries.filter((e) => e.actor === 'dev-hotline-01' && e.entityType === 'Feedback').length).toBeGreaterThan(
      0,
    );
  });

  test("reading the access log is itself audited, and other people's reads are not in it", async () => {
    const other = refOf(DEMO_PEOPLE.find((p) => refOf(p) !== ref)!);
    await stack.as('dev-dpo', DSR).query(ACCESS_LOG, { ref });
    const rows = (await stack.db.declarations.query(
      `SELECT entity_type, purpose, subject_refs FROM audit_record WHERE actor = 'dev-dpo' AND entity_type = 'CitizenAccessLog'`,
    )) as { entity_type: string; purpose: string; subject_refs: string[] }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.purpose === DSR.purpose && r.subject_refs.includes(ref))).toBe(true);
    const res = await stack.as('dev-dpo', DSR).query<AccessLog>(ACCESS_LOG, { ref: other });
    const all = Object.values(res.body.data!.dataSubject.accessLog).flat();
    expect(all.some((e) => e.actor === healthOfficial && e.purpose === 'contact-tracing')).toBe(false);
  });

  test('needs audit:read, a national grant and a declared purpose', async () => {
    const noPurpose = await stack.as('dev-dpo').query(ACCESS_LOG, { ref });
    expect(noPurpose.body.data).toBeNull();
    expect(noPurpose.body.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'PURPOSE_REQUIRED' });

    for (const subject of ['dev-health-01', 'dev-centre-admin', 'dev-analyst', 'dev-hotline-01']) {
      const res = await stack.as(subject, DSR).query(ACCESS_LOG, { ref });
      expect(res.body.data).toBeNull();
      expect(res.body.errors!.map((e) => e.extensions!.code)).toContain('FORBIDDEN');
    }
  });

  test('the officer finds the person by the document they show, and sees identity values masked', async () => {
    const res = await stack.as('dev-dpo', DSR).query<{
      dataSubject: { ref: string; identity: { phone: string; document: { number: string } } };
    }>(
      `query ($number: String!) {
        dataSubject(document: { type: CCCD, number: $number }) { ref identity { phone document { number } } }
      }`,
      { number: person.documentNumber },
    );
    expect(res.body.errors).toBeUndefined();
    const s = res.body.data!.dataSubject;
    expect(s.ref).toBe(ref);
    expect(s.identity.document.number).toMatch(/^\d{4}\*{6}\d{2}$/);
    expect(s.identity.document.number).not.toBe(person.documentNumber);
    expect(s.identity.phone).toMatch(/^\d{2}\*+\d{2}$/);

    const name = await stack
      .as('dev-dpo', DSR)
      .query(`query ($ref: ID!) { dataSubject(ref: $ref) { identity { fullName } } }`, {
        ref,
      });
    expect(name.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });

  test('exactly one of ref and document, and a well-formed ref', async () => {
    const both = await stack
      .as('dev-dpo', DSR)
      .query(`query ($ref: ID!) { dataSubject(ref: $ref, document: { type: CCCD, number: "001099000001" }) { ref } }`, {
        ref,
      });
    expect(both.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ref' });
    const bad = await stack.as('dev-dpo', DSR).query(`{ dataSubject(ref: "nope") { ref } }`);
    expect(bad.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ref' });
  });
});

describe('export', () => {
  test("a complete copy of the person's records in every subgraph, clear values, audited", async () => {
    const h = await holdings(ref);
    const res = await stack.as('dev-dpo', DSR).query<Export>(EXPORT, { ref });
    expect(res.body.errors).toBeUndefined();
    const r = res.body.data!.dataSubject.records;
    const count = (list: Rec[], type: string) => list.filter((x) => x.entityType === type).length;
    expect(count(r.declarations, 'Citizen')).toBe(h.citizen);
    expect(count(r.declarations, 'IdentitySnapshot')).toBe(h.identitySnapshots);
    expect(count(r.declarations, 'HealthDeclaration')).toBe(h.declarations);
    expect(count(r.declarations, 'MonitoringPeriod')).toBe(h.monitoringPeriods);
    expect(count(r.movement, 'MovementDeclaration')).toBe(h.movements + h.companionOf);
    expect(count(r.checkpoints, 'Passage')).toBe(h.passages);
    expect(count(r.feedback, 'Feedback')).toBe(h.feedbackReported + h.feedbackAbout);

    // clear values: the request needs them (the copy goes to the person)
    expect(h.citizen).toBe(1);
    const citizen = r.declarations.find((x) => x.entityType === 'Citizen')!;
    expect(citizen.data.document_number).toBe(person.documentNumber);
    const snapshot = r.declarations.find((x) => x.entityType === 'IdentitySnapshot')!;
    expect(snapshot.data.citizen_ref).toBe(ref);
    expect(r.checkpoints.every((x) => x.data.citizen_ref === ref)).toBe(true);
    // journeys they were only a companion on carry no other traveller
    for (const m of r.movement.filter((x) => x.data.companion === true)) {
      expect(m.data).not.toHaveProperty('citizen_ref');
      expect(m.data).not.toHaveProperty('companion_refs');
    }

    const requestId = res.headers.get('x-request-id');
    for (const name of ['declarations', 'movement', 'checkpoints', 'feedback'] as const) {
      const rows = (await stack.db[name].query(
        `SELECT entity_type, fields, purpose, subject_refs FROM audit_record WHERE request_id = $1 AND entity_type = 'CitizenRecords'`,
        [requestId],
      )) as { fields: string[]; purpose: string; subject_refs: string[] }[];
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ purpose: DSR.purpose, subject_refs: [ref] });
      expect(rows[0]!.fields).toContain(name);
    }
  });

  test('needs dsr:manage: the officer of another role gets null and FORBIDDEN', async () => {
    const res = await stack.as('dev-health-01', DSR).query(EXPORT, { ref });
    expect(res.body.data).toBeNull();
    expect(res.body.errors!.every((e) => e.extensions!.code === 'FORBIDDEN')).toBe(true);
  });
});

const CORRECT = `mutation ($input: CorrectIdentityInput!) {
  correctCitizenIdentity(input: $input) { ref requestReference fields snapshots }
}`;

describe('correction', () => {
  test('changes the named fields in every identity snapshot and audits the field names, not the values', async () => {
    const target = (await peopleEverywhere())[1] ?? person;
    const tref = refOf(target);
    const h = await holdings(tref);
    const res = await stack.as('dev-dpo', DSR).query<{
      correctCitizenIdentity: { fields: string[]; snapshots: number };
    }>(CORRECT, {
      input: { ref: tref, requestReference: 'DSR-2026-0043', fullName: 'Nguyễn Văn Sửa', phone: '0912345678' },
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.correctCitizenIdentity).toEqual({
      ref: tref,
      requestReference: 'DSR-2026-0043',
      fields: ['fullName', 'phone'],
      snapshots: h.identitySnapshots,
    });
    const rows = (await stack.db.declarations.query(
      'SELECT DISTINCT full_name, phone FROM identity_snapshot WHERE citizen_ref = $1',
      [tref],
    )) as { full_name: string; phone: string }[];
    expect(rows).toEqual([{ full_name: 'Nguyễn Văn Sửa', phone: '0912345678' }]);

    const audit = (await stack.db.declarations.query(
      `SELECT entity_type, entity_id, fields, subject_refs, purpose FROM audit_record WHERE entity_id = 'DSR-2026-0043'`,
    )) as Record<string, unknown>[];
    expect(audit).toEqual([
      {
        entity_type: 'DataSubjectRequest',
        entity_id: 'DSR-2026-0043',
        fields: ['correct:fullName', 'correct:phone'],
        subject_refs: [tref],
        purpose: DSR.purpose,
      },
    ]);
    expect(JSON.stringify(audit)).not.toContain('0912345678');
  });

  test('bad input names the field and changes nothing', async () => {
    const before = await stack.db.declarations.query('SELECT full_name, phone FROM identity_snapshot ORDER BY id');
    const auditBefore = await stack.db.declarations.query('SELECT count(*) FROM audit_record');
    const bad = await stack
      .as('dev-dpo', DSR)
      .query(CORRECT, { input: { ref, requestReference: 'DSR-2026-0044', fullName: 'Ok Name', phone: 'call me' } });
    expect(bad.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.phone' });
    const noFields = await stack
      .as('dev-dpo', DSR)
      .query(CORRECT, { input: { ref, requestReference: 'DSR-2026-0044' } });
    expect(noFields.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input' });
    const badRef = await stack
      .as('dev-dpo', DSR)
      .query(CORRECT, { input: { ref, requestReference: 'x', fullName: 'Ok Name' } });
    expect(badRef.body.errors![0]!.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.requestReference',
    });
    expect(await stack.db.declarations.query('SELECT full_name, phone FROM identity_snapshot ORDER BY id')).toEqual(
      before,
    );
    expect(await stack.db.declarations.query('SELECT count(*) FROM audit_record')).toEqual(auditBefore);
  });

  test('only the data-protection officer corrects', async () => {
    for (const subject of ['dev-health-01', 'dev-centre-admin', 'dev-consumer-79']) {
      const res = await stack
        .as(subject, DSR)
        .query(CORRECT, { input: { ref, requestReference: 'DSR-2026-0045', fullName: 'Someone Else' } });
      expect(res.body.data).toBeNull();
      expect(res.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    }
    const rows = (await stack.db.declarations.query(
      `SELECT count(*)::int AS n FROM identity_snapshot WHERE full_name = 'Someone Else'`,
    )) as { n: number }[];
    expect(rows[0]!.n).toBe(0);
  });
});

const ERASE = `mutation ($input: DataSubjectRequestInput!) {
  declarations: eraseCitizenDeclarations(input: $input) { ...report }
  movement: eraseCitizenMovements(input: $input) { ...report }
  checkpoints: eraseCitizenPassages(input: $input) { ...report }
  feedback: eraseCitizenFeedback(input: $input) { ...report }
}
fragment report on ErasureReport { ref requestReference records { entityType action count } }`;
type Report = { ref: string; records: { entityType: string; action: string; count: number }[] };
type Erase = Record<'declarations' | 'movement' | 'checkpoints' | 'feedback', Report>;

describe('erasure', () => {
  test("a failure inside one subgraph keeps nothing of that subgraph's erasure", async () => {
    const victim = (await peopleEverywhere()).at(-1)!;
    const vref = refOf(victim);
    const before = await holdings(vref);
    await stack.db.declarations.query(`
      CREATE FUNCTION test_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'refused by test'; END $$`);
    await stack.db.declarations.query(
      'CREATE TRIGGER test_refuse BEFORE DELETE ON citizen FOR EACH ROW EXECUTE FUNCTION test_refuse_delete()',
    );
    try {
      const res = await stack
        .as('dev-dpo', DSR)
        .query(`mutation ($input: DataSubjectRequestInput!) { eraseCitizenDeclarations(input: $input) { ref } }`, {
          input: { ref: vref, requestReference: 'DSR-2026-0050' },
        });
      expect(res.body.errors![0]!.extensions!.code).toBe('INTERNAL_SERVER_ERROR');
      expect(JSON.stringify(res.body)).not.toContain('refused by test');
    } finally {
      await stack.db.declarations.query('DROP TRIGGER test_refuse ON citizen');
      await stack.db.declarations.query('DROP FUNCTION test_refuse_delete()');
    }
    expect(await holdings(vref)).toEqual(before);
    const audit = await stack.db.declarations.query(`SELECT 1 FROM audit_record WHERE entity_id = 'DSR-2026-0050'`);
    expect(audit).toEqual([]);
  });

  test('one operation erases or anonymises the person in every subgraph and audits the request', async () => {
    const before = await holdings(ref);
    const feedbackIds = (await stack.db.feedback.query(
      'SELECT id FROM feedback WHERE reporter_ref = $1 OR reported_ref = $1',
      [ref],
    )) as { id: string }[];
    const input = { ref, requestReference: 'DSR-2026-0042' };

    const res = await stack.as('dev-dpo', DSR).query<Erase>(ERASE, { input });
    expect(res.body.errors).toBeUndefined();
    const d = res.body.data!;
    const counts = (r: Report) => Object.fromEntries(r.records.map((x) => [`${x.entityType}:${x.action}`, x.count]));
    expect(counts(d.declarations)).toEqual({
      'MonitoringPeriod:DELETED': before.monitoringPeriods,
      'HealthDeclaration:DELETED': before.declarations,
      'IdentitySnapshot:DELETED': before.identitySnapshots,
      'Citizen:DELETED': before.citizen,
    });
    expect(counts(d.movement)).toEqual({
      'MovementDeclaration:DELETED': before.movements,
      'MovementDeclaration.companions:ANONYMISED': before.companionOf,
    });
    expect(counts(d.checkpoints)).toEqual({ 'Passage:DELETED': before.passages });
    expect(counts(d.feedback)).toEqual({
      'Feedback.reporter:ANONYMISED': before.feedbackReported,
      'Feedback.reportedPerson:ANONYMISED': before.feedbackAbout,
    });

    // nothing links to the person any more; the feedback itself stays
    expect(Object.values(await holdings(ref)).every((n) => n === 0)).toBe(true);
    const kept = (await stack.db.feedback.query('SELECT count(*)::int AS n FROM feedback WHERE id = ANY ($1)', [
      feedbackIds.map((f) => f.id),
    ])) as { n: number }[];
    expect(kept[0]!.n).toBe(feedbackIds.length);
    for (const name of ['declarations', 'movement', 'checkpoints', 'feedback'] as const) {
      const dump = JSON.stringify(
        await stack.db[name].query(
          name === 'declarations'
            ? `SELECT * FROM citizen, identity_snapshot, health_declaration`
            : `SELECT * FROM ${name === 'movement' ? 'movement_declaration' : name === 'checkpoints' ? 'passage' : 'feedback'}`,
        ),
      );
      expect(dump).not.toContain(ref);
    }
    expect(JSON.stringify(await stack.db.declarations.query('SELECT * FROM citizen'))).not.toContain(
      person.documentNumber,
    );

    // the request is audited in every subgraph, and the access log is kept
    for (const name of ['declarations', 'movement', 'checkpoints', 'feedback'] as const) {
      const rows = (await stack.db[name].query(
        `SELECT fields, subject_refs, purpose, actor FROM audit_record
          WHERE entity_type = 'DataSubjectRequest' AND entity_id = 'DSR-2026-0042'`,
      )) as { fields: string[]; subject_refs: string[]; purpose: string; actor: string }[];
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ subject_refs: [ref], purpose: DSR.purpose, actor: 'dev-dpo' });
      expect(rows[0]!.fields.every((f) => f.startsWith('erase:'))).toBe(true);
    }
    const log = await stack.as('dev-dpo', DSR).query<AccessLog>(ACCESS_LOG, { ref });
    const entries = Object.values(log.body.data!.dataSubject.accessLog).flat();
    expect(entries.some((e) => e.actor === healthOfficial && e.purpose === 'contact-tracing')).toBe(true);
    expect(entries.filter((e) => e.entityType === 'DataSubjectRequest')).toHaveLength(4);

    // staff no longer find the person; a second erasure finds nothing to do
    const gone = await stack
      .as(healthOfficial, { purpose: 'contact-tracing' })
      .query<{ citizenByDocument: unknown }>(staffTimeline, { number: person.documentNumber });
    expect(gone.body.data!.citizenByDocument).toBeNull();
    const again = await stack
      .as('dev-dpo', DSR)
      .query<Erase>(ERASE, { input: { ...input, requestReference: 'DSR-2026-0042b' } });
    expect(Object.values(again.body.data!).flatMap((r) => r.records.map((x) => x.count))).toEqual(Array(9).fill(0));
  });

  test('only the national data-protection officer, with a purpose, erases', async () => {
    const victim = (await peopleEverywhere())[0]!;
    const vref = refOf(victim);
    const before = await holdings(vref);
    for (const [subject, purpose] of [
      ['dev-health-01', DSR],
      ['dev-centre-admin', DSR],
      ['dev-consumer-79', DSR],
      ['dev-dpo', {}],
    ] as const) {
      const res = await stack
        .as(subject, purpose)
        .query(ERASE, { input: { ref: vref, requestReference: 'DSR-2026-0099' } });
      expect(res.body.data).toBeNull();
      expect(res.body.errors!.length).toBeGreaterThan(0);
      expect(res.body.errors!.every((e) => e.extensions!.code === 'FORBIDDEN')).toBe(true);
    }
    expect(await holdings(vref)).toEqual(before);
    for (const name of SUBGRAPHS) {
      expect(await stack.db[name].query(`SELECT 1 FROM audit_record WHERE entity_id = 'DSR-2026-0099'`)).toEqual([]);
    }
  });
});
