import { type DEMO_USER_SUBJECTS, demoUserId } from '../kit/demo';
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from '../kit/logger';
import { Role } from '../kit/roles';
import { ensureBuiltinUnitList } from '../kit/admin-units/builtin';
import type { MembershipRole, OrganisationKind, UserKind } from './entities';

/** Who seeded rows were created by. */
export const SEED_ACTOR = 'system:seed';

/** The centre's founding decision: every founding membership cites it (one place to correct it). */
export const FOUNDING_DECISION = { reference: 'Decision 1168/QD-BTTTT (2020)', effectiveFrom: '2020-07-09' } as const;

interface OrganisationSeed {
  code: string;
  name: string;
  shortName: string | null;
  kind: OrganisationKind;
  parentCode?: string;
}

interface FoundingMember extends OrganisationSeed {
  role: MembershipRole;
  /** In the decision's words. */
  responsibility: string;
}

/** Parent bodies of founding members (not members themselves). */
const PARENTS: readonly OrganisationSeed[] = [
  { code: 'MIC', name: 'Ministry of Information and Communications', shortName: 'MIC', kind: 'GOVERNMENT_AGENCY' },
  { code: 'MOH', name: 'Ministry of Health', shortName: 'MOH', kind: 'GOVERNMENT_AGENCY' },
  { code: 'VIETTEL', name: 'Viettel Group', shortName: 'Viettel', kind: 'STATE_ENTERPRISE' },
];

/** The nine core members named by the founding decision. */
export const FOUNDING_MEMBERS: readonly FoundingMember[] = [
  {
    code: 'MIC-AITA',
    name: 'Authority of Information Technology Application',
    shortName: 'AITA',
    kind: 'GOVERNMENT_AGENCY',
    parentCode: 'MIC',
    role: 'DIRECTOR',
    responsibility: 'Directs the centre and is responsible for its general operations.',
  },
  {
    code: 'MOH-DIT',
    name: 'Department of Information Technology, Ministry of Health',
    shortName: 'MOH-DIT',
    kind: 'GOVERNMENT_AGENCY',
    parentCode: 'MOH',
    role: 'DEPUTY_DIRECTOR',
    responsibility: 'Links technology with the needs of the health sector.',
  },
  {
    code: 'MOH-PHEOC',
    name: 'Public Health Emergency Operations Centre',
    shortName: 'PHEOC',
    kind: 'GOVERNMENT_AGENCY',
    parentCode: 'MOH',
    role: 'ADVISER',
    responsibility: 'Advises on the requirements of the health sector.',
  },
  {
    code: 'MIC-NEAC',
    name: 'National Electronic Authentication Centre',
    shortName: 'NEAC',
    kind: 'GOVERNMENT_AGENCY',
    parentCode: 'MIC',
    role: 'MEMBER',
    responsibility: 'Cybersecurity policy and the protection of personal data.',
  },
  {
    code: 'MIC-VNTA',
    name: 'Telecommunications Authority',
    shortName: 'VNTA',
    kind: 'GOVERNMENT_AGENCY',
    parentCode: 'MIC',
    role: 'MEMBER',
    responsibility: 'Coordinates the telecommunications operators.',
  },
  {
    code: 'BKAV',
    name: 'BKAV Corporation',
    shortName: 'BKAV',
    kind: 'PRIVATE_COMPANY',
    role: 'MEMBER',
    responsibility: 'Chief architect of the shared platforms and databases; develops the contact-tracing app.',
  },
  {
    code: 'VIETTEL-VTS',
    name: 'Viettel Solutions',
    shortName: 'Viettel Solutions',
    kind: 'STATE_ENTERPRISE',
    parentCode: 'VIETTEL',
    role: 'MEMBER',
    responsibility:
      'Provides the infrastructure; develops the health-declaration app and the quarantine and medical-monitoring systems.',
  },
  {
    code: 'MIC-NCSC',
    name: 'National Cyber Security Monitoring Centre',
    shortName: 'NCSC',
    kind: 'GOVERNMENT_AGENCY',
    parentCode: 'MIC',
    role: 'MEMBER',
    responsibility: 'Monitors the security of the centre’s systems.',
  },
  {
    code: 'MIC-EGOV',
    name: 'e-Government Centre',
    shortName: 'e-Government Centre',
    kind: 'GOVERNMENT_AGENCY',
    role: 'STANDING_MEMBER',
    responsibility: 'Standing member of the centre.',
  },
];

/** Serialises seeding when several replicas start at once. */
async function lockSeeding(m: EntityManager): Promise<void> {
  await m.query(`SELECT pg_advisory_xact_lock(hashtext('organisations seed'))`);
}

/** Inserts organisations whose code is unknown (parents must come first in the list). */
async function ensureOrganisations(m: EntityManager, seeds: readonly OrganisationSeed[]): Promise<number> {
  let inserted = 0;
  for (const o of seeds) {
    const rows: unknown[] = await m.query(
      `INSERT INTO organisation (code, name, short_name, kind, parent_id, created_by)
       SELECT $1, $2, $3, $4, (SELECT id FROM organisation WHERE code = $5), $6
       ON CONFLICT (code) DO NOTHING RETURNING id`,
      [o.code, o.name, o.shortName, o.kind, o.parentCode ?? null, SEED_ACTOR],
    );
    inserted += rows.length;
  }
  return inserted;
}

async function ensureFoundingMemberships(m: EntityManager): Promise<number> {
  let inserted = 0;
  for (const f of FOUNDING_MEMBERS) {
    const rows: unknown[] = await m.query(
      `INSERT INTO centre_membership (organisation_id, role, responsibility, decision_reference, valid_from, created_by)
       SELECT o.id, $2, $3, $4, $5, $6 FROM organisation o
       WHERE o.code = $1
         AND NOT EXISTS (SELECT 1 FROM centre_membership cm WHERE cm.organisation_id = o.id AND cm.decision_reference = $4)
       RETURNING id`,
      [f.code, f.role, f.responsibility, FOUNDING_DECISION.reference, FOUNDING_DECISION.effectiveFrom, SEED_ACTOR],
    );
    inserted += rows.length;
  }
  return inserted;
}

/** Reference data every deployment needs (runs at every start; idempotent). */
export async function seedReference(ds: DataSource, log: Logger): Promise<void> {
  const builtinUnits = await ensureBuiltinUnitList(ds);
  const counts = await ds.transaction(async (m) => {
    await lockSeeding(m);
    const organisations = await ensureOrganisations(m, [...PARENTS, ...FOUNDING_MEMBERS]);
    const memberships = await ensureFoundingMemberships(m);
    return { organisations, memberships };
  });
  if (builtinUnits || counts.organisations || counts.memberships) {
    log.info({ ...counts, builtinUnits }, 'reference data seeded');
  }
}

/** Local organisations the development users belong to. */
const DEV_ORGANISATIONS: readonly OrganisationSeed[] = [
  { code: 'HN-PC', name: 'Ủy ban nhân dân Thành phố Hà Nội', shortName: 'UBND Hà Nội', kind: 'PROVINCIAL_AUTHORITY' },
  {
    code: 'HN-DOH',
    name: 'Sở Y tế Hà Nội',
    shortName: 'SYT Hà Nội',
    kind: 'PROVINCIAL_AUTHORITY',
    parentCode: 'HN-PC',
  },
  {
    code: 'HN-CDC',
    name: 'Trung tâm Kiểm soát bệnh tật Hà Nội',
    shortName: 'CDC Hà Nội',
    kind: 'HEALTH_FACILITY',
    parentCode: 'HN-DOH',
  },
  {
    code: 'HCM-PC',
    name: 'Ủy ban nhân dân Thành phố Hồ Chí Minh',
    shortName: 'UBND TP.HCM',
    kind: 'PROVINCIAL_AUTHORITY',
  },
  {
    code: 'HCM-DOH',
    name: 'Sở Y tế Thành phố Hồ Chí Minh',
    shortName: 'SYT TP.HCM',
    kind: 'PROVINCIAL_AUTHORITY',
    parentCode: 'HCM-PC',
  },
  {
    code: 'HCM-DIC',
    name: 'Sở Thông tin và Truyền thông Thành phố Hồ Chí Minh',
    shortName: 'STTTT TP.HCM',
    kind: 'PROVINCIAL_AUTHORITY',
    parentCode: 'HCM-PC',
  },
];

interface DevUser {
  subject: (typeof DEMO_USER_SUBJECTS)[number];
  kind: UserKind;
  displayName: string;
  organisationCode: string;
  email: string;
  phone: string;
  role: Role;
  /** Null: national. */
  unitCode: string | null;
}

/** One development user per role; the subject is what `npm run token -- <subject>` signs for. */
const DEV_USERS: readonly DevUser[] = [
  {
    subject: 'dev-centre-admin',
    kind: 'user',
    displayName: 'Nguyễn Văn An (centre administrator)',
    organisationCode: 'MIC-AITA',
    email: 'dev-centre-admin@example.gov.vn',
    phone: '+84900000001',
    role: Role.CENTRE_ADMIN,
    unitCode: null,
  },
  {
    subject: 'dev-dpo',
    kind: 'user',
    displayName: 'Trần Thị Bình (data protection officer)',
    organisationCode: 'MIC-NEAC',
    email: 'dev-dpo@example.gov.vn',
    phone: '+84900000002',
    role: Role.DATA_PROTECTION_OFFICER,
    unitCode: null,
  },
  {
    subject: 'dev-health-01',
    kind: 'user',
    displayName: 'Lê Văn Cường (Sở Y tế Hà Nội)',
    organisationCode: 'HN-DOH',
    email: 'dev-health-01@example.gov.vn',
    phone: '+84900000003',
    role: Role.HEALTH_OFFICIAL,
    unitCode: '01',
  },
  {
    subject: 'dev-health-79',
    kind: 'user',
    displayName: 'Phạm Thị Dung (Sở Y tế TP.HCM)',
    organisationCode: 'HCM-DOH',
    email: 'dev-health-79@example.gov.vn',
    phone: '+84900000004',
    role: Role.HEALTH_OFFICIAL,
    unitCode: '79',
  },
  {
    subject: 'dev-checkpoint-01',
    kind: 'user',
    displayName: 'Hoàng Văn Em (checkpoint, Hà Nội)',
    organisationCode: 'HN-PC',
    email: 'dev-checkpoint-01@example.gov.vn',
    phone: '+84900000005',
    role: Role.CHECKPOINT_OFFICER,
    unitCode: '01',
  },
  {
    subject: 'dev-analyst',
    kind: 'user',
    displayName: 'Vũ Thị Giang (analyst)',
    organisationCode: 'MOH-DIT',
    email: 'dev-analyst@example.gov.vn',
    phone: '+84900000006',
    role: Role.ANALYST,
    unitCode: null,
  },
  {
    subject: 'dev-hotline-01',
    kind: 'user',
    displayName: 'Đỗ Văn Hải (hotline, Hà Nội)',
    organisationCode: 'HN-CDC',
    email: 'dev-hotline-01@example.gov.vn',
    phone: '+84900000007',
    role: Role.HOTLINE_OPERATOR,
    unitCode: '01',
  },
  {
    subject: 'dev-consumer-79',
    kind: 'service',
    displayName: 'TP.HCM health-declaration app (service account)',
    organisationCode: 'HCM-DIC',
    email: 'dev-consumer-79@example.gov.vn',
    phone: '+84900000008',
    role: Role.CONSUMER_APP,
    unitCode: '79',
  },
];

/** The seeded development subjects (the gateway tests sign tokens for each). */
export const DEV_SUBJECTS: readonly string[] = DEV_USERS.map((u) => u.subject);

/** Dev grants start on a fixed instant, so seeded data is the same on every run. */
const DEV_GRANTS_FROM = '2025-07-01T00:00:00+07:00';

async function ensureDevUser(m: EntityManager, u: DevUser): Promise<boolean> {
  await m.query(
    `INSERT INTO app_user (id, subject, kind, display_name, organisation_id, email, phone, created_by)
     SELECT $8, $1, $2, $3, (SELECT id FROM organisation WHERE code = $4), $5, $6, $7
     ON CONFLICT (subject) DO NOTHING`,
    [u.subject, u.kind, u.displayName, u.organisationCode, u.email, u.phone, SEED_ACTOR, demoUserId(u.subject)],
  );
  const granted: unknown[] = await m.query(
    `INSERT INTO role_grant (user_id, role, jurisdiction_code, include_descendants, valid_from, granted_by)
     SELECT u.id, $2, $3, true, $4, $5 FROM app_user u
     WHERE u.subject = $1
       AND NOT EXISTS (SELECT 1 FROM role_grant g WHERE g.user_id = u.id AND g.role = $2
                       AND g.jurisdiction_code IS NOT DISTINCT FROM $3::text AND g.revoked_at IS NULL)
     RETURNING id`,
    [u.subject, u.role, u.unitCode, DEV_GRANTS_FROM, SEED_ACTOR],
  );
  return granted.length > 0;
}

/** Development users, one per role, each with an active grant (dev and tests only; idempotent). */
export async function seedDevelopment(ds: DataSource, log: Logger): Promise<void> {
  const grants = await ds.transaction(async (m) => {
    await lockSeeding(m);
    await ensureOrganisations(m, DEV_ORGANISATIONS);
    let n = 0;
    for (const u of DEV_USERS) if (await ensureDevUser(m, u)) n++;
    return n;
  });
  if (grants) log.info({ grants, users: DEV_SUBJECTS.length }, 'development users seeded');
}
