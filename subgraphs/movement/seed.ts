import type { DataSource, EntityManager } from 'typeorm';
import { ensureBuiltinUnitList } from '../kit/admin-units/builtin';
import { DEMO_PEOPLE, demoInstant, demoUuid } from '../kit/demo';
import type { Logger } from '../kit/logger';
import type { SeedContext } from '../kit/module';
import { citizenRef, type PseudonymKey } from '../kit/pseudonym';
import type { MovementStatus, TravelMode } from './entities';

/** Reference data every deployment needs: the built-in unit list when none was imported. */
export async function seedReference(ds: DataSource, log: Logger): Promise<void> {
  if (await ensureBuiltinUnitList(ds)) log.info('built-in unit list seeded');
}

/** The development users who declare (an app) and decide (the health officials of 01 and 79). */
const DECLARED_BY = 'dev-consumer-79';
const OFFICIAL: Readonly<Record<'01' | '79', string>> = { '01': 'dev-health-01', '79': 'dev-health-79' };

interface DemoMovement {
  /** 1-based index into DEMO_PEOPLE. */
  person: number;
  companions?: number[];
  mode: TravelMode;
  conveyanceId: string;
  seat?: string;
  daysAgo: number;
  /** Local (Vietnamese) hour of departure. */
  hour: number;
  hours: number;
  from: '01' | '79';
  /** How long it stays valid after arrival, in days (past validity reads as EXPIRED). */
  validDays: number;
  status: Exclude<MovementStatus, 'EXPIRED'>;
  reason?: string;
}

/**
 * Journeys of the demo population between Hà Nội (01) and Hồ Chí Minh City (79) over the last 14
 * days: VN2xx flights (two parties on VN201 the same morning), coaches and a car with plates,
 * companions, and every status (the expired ones read as EXPIRED).
 */
// prettier-ignore
export const DEMO_MOVEMENTS: readonly DemoMovement[] = [
  { person: 1, companions: [2], mode: 'PLANE', conveyanceId: 'VN201', seat: '12A', daysAgo: 12, hour: 7, hours: 2, from: '01', validDays: 20, status: 'APPROVED' },
  { person: 8, companions: [9], mode: 'PLANE', conveyanceId: 'VN201', seat: '14C', daysAgo: 12, hour: 7, hours: 2, from: '01', validDays: 20, status: 'DECLARED' },
  { person: 7, mode: 'PLANE', conveyanceId: 'VN210', seat: '3D', daysAgo: 10, hour: 14, hours: 2, from: '79', validDays: 1, status: 'APPROVED' },
  { person: 3, mode: 'COACH', conveyanceId: '29B-123.45', daysAgo: 9, hour: 20, hours: 32, from: '01', validDays: 1, status: 'DECLARED' },
  { person: 4, mode: 'PLANE', conveyanceId: 'VN215', seat: '21F', daysAgo: 6, hour: 9, hours: 2, from: '01', validDays: 14, status: 'REJECTED', reason: 'Destination ward under lockdown on the travel date' },
  { person: 10, mode: 'COACH', conveyanceId: '51B-234.56', daysAgo: 4, hour: 18, hours: 34, from: '79', validDays: 14, status: 'CANCELLED', reason: 'Trip postponed' },
  { person: 5, mode: 'PLANE', conveyanceId: 'VN220', seat: '7B', daysAgo: 2, hour: 11, hours: 2, from: '01', validDays: 14, status: 'DECLARED' },
  { person: 11, companions: [12, 6], mode: 'CAR', conveyanceId: '51G-888.88', daysAgo: 1, hour: 6, hours: 30, from: '79', validDays: 14, status: 'APPROVED' },
];

const HOUR_MS = 3_600_000;
const other = (p: '01' | '79'): '01' | '79' => (p === '01' ? '79' : '01');

async function insertDemo(m: EntityManager, key: PseudonymKey, d: DemoMovement, n: number): Promise<void> {
  const ref = (i: number) => citizenRef({ type: 'CCCD', number: DEMO_PEOPLE[i - 1]!.documentNumber }, key);
  const id = demoUuid('movement', n);
  const departAt = demoInstant(d.daysAgo, d.hour);
  const arriveAt = new Date(departAt.getTime() + d.hours * HOUR_MS);
  const declaredAt = new Date(departAt.getTime() - 2 * 24 * HOUR_MS);
  const decidedAt = new Date(declaredAt.getTime() + 3 * HOUR_MS);
  const decided = d.status === 'APPROVED' || d.status === 'REJECTED';
  const official = OFFICIAL[other(d.from)];
  await m.query(
    `INSERT INTO movement_declaration (id, citizen_ref, companion_refs, mode, conveyance_id, seat, depart_at, arrive_at,
       origin_province_code, destination_province_code, transit_unit_codes, purpose, status, valid_until,
       declared_by, declared_at, decided_by, decided_at, decision_note)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, '{}', $11, $12, $13, $14, $15, $16, $17, $18)`,
    [
      id,
      ref(d.person),
      (d.companions ?? []).map(ref),
      d.mode,
      d.conveyanceId,
      d.seat ?? null,
      departAt,
      arriveAt,
      d.from,
      other(d.from),
      'Family visit',
      d.status,
      new Date(arriveAt.getTime() + d.validDays * 24 * HOUR_MS),
      DECLARED_BY,
      declaredAt,
      decided ? official : null,
      decided ? decidedAt : null,
      decided ? (d.reason ?? null) : null,
    ],
  );
  const history: [MovementStatus | null, MovementStatus, string, Date, string | null][] = [
    [null, 'DECLARED', DECLARED_BY, declaredAt, null],
  ];
  if (d.status !== 'DECLARED') {
    history.push(['DECLARED', d.status, decided ? official : DECLARED_BY, decidedAt, d.reason ?? null]);
  }
  for (const [from, to, by, at, reason] of history) {
    await m.query(
      `INSERT INTO movement_status_change (movement_id, from_status, to_status, changed_by, changed_at, reason)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, from, to, by, at, reason],
    );
  }
}

/**
 * Demo declarations for local development, when the table is empty. Pseudonyms are computed with
 * the federation's key, so they join the other subgraphs' demo records of the same people.
 */
export async function seedDevelopment(ds: DataSource, log: Logger, ctx?: SeedContext): Promise<void> {
  if (!ctx) {
    log.warn('no pseudonymisation key given to the development seed; demo movements skipped');
    return;
  }
  const inserted = await ds.transaction(async (m) => {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('movement demo seed'))`);
    const any: unknown[] = await m.query(`SELECT 1 FROM movement_declaration LIMIT 1`);
    if (any.length) return 0;
    for (const [i, d] of DEMO_MOVEMENTS.entries()) await insertDemo(m, ctx.pseudonymKey, d, i + 1);
    return DEMO_MOVEMENTS.length;
  });
  if (inserted) log.info({ movements: inserted }, 'demo movement declarations seeded');
}
