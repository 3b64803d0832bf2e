import type { DataSource, EntityManager } from 'typeorm';
import { DEMO_PEOPLE, demoInstant, demoUserId, demoUuid } from '../kit/demo';
import type { Logger } from '../kit/logger';
import type { SeedContext } from '../kit/module';
import { citizenRef, type PseudonymKey } from '../kit/pseudonym';
import { ensureBuiltinUnitList } from '../kit/admin-units/builtin';
import {
  CheckpointOperatorRow,
  CheckpointRow,
  CREDENTIAL_TYPES,
  PassageRow,
  type CheckpointKind,
  type CheckpointStatus,
  type PassageDecision,
  type ScanMode,
} from './entities';

/** Who seeded rows were created by. */
export const SEED_ACTOR = 'system:seed';

/** Reference data every deployment needs: this subgraph's copy of the unit list (idempotent). */
export async function seedReference(ds: DataSource, log: Logger): Promise<void> {
  if (await ensureBuiltinUnitList(ds)) log.info('built-in unit list seeded');
}

interface DemoCheckpoint {
  n: number;
  name: string;
  kind: CheckpointKind;
  provinceCode: '01' | '79';
  latitude: number;
  longitude: number;
  /** An organisation of the organisations subgraph's development seed. */
  operatorCode: string;
  scanMode: ScanMode;
  status: CheckpointStatus;
}

/** Demo checkpoints: ids are `demoUuid('checkpoint', n)`, so other subgraphs' demo data can name them. */
export const DEMO_CHECKPOINTS: readonly DemoCheckpoint[] = [
  {
    n: 1,
    name: 'Chốt kiểm soát cửa ngõ Pháp Vân – Cầu Giẽ',
    kind: 'PROVINCIAL_GATEWAY',
    provinceCode: '01',
    latitude: 20.9381,
    longitude: 105.8452,
    operatorCode: 'HN-PC',
    scanMode: 'OPERATOR_SCANS_PERSON',
    status: 'ACTIVE',
  },
  {
    n: 2,
    name: 'Sân bay Quốc tế Nội Bài',
    kind: 'AIRPORT',
    provinceCode: '01',
    latitude: 21.2187,
    longitude: 105.8042,
    operatorCode: 'HN-CDC',
    scanMode: 'PERSON_SCANS_CODE',
    status: 'ACTIVE',
  },
  {
    n: 3,
    name: 'Bệnh viện Bạch Mai',
    kind: 'HOSPITAL',
    provinceCode: '01',
    latitude: 21.0009,
    longitude: 105.8412,
    operatorCode: 'HN-DOH',
    scanMode: 'PERSON_SCANS_CODE',
    status: 'ACTIVE',
  },
  {
    n: 4,
    name: 'Chốt kiểm soát Trạm thu phí Long Phước',
    kind: 'PROVINCIAL_GATEWAY',
    provinceCode: '79',
    latitude: 10.8121,
    longitude: 106.8316,
    operatorCode: 'HCM-PC',
    scanMode: 'OPERATOR_SCANS_PERSON',
    status: 'ACTIVE',
  },
  {
    n: 5,
    name: 'Sân bay Quốc tế Tân Sơn Nhất',
    kind: 'AIRPORT',
    provinceCode: '79',
    latitude: 10.8188,
    longitude: 106.6519,
    operatorCode: 'HCM-DOH',
    scanMode: 'PERSON_SCANS_CODE',
    status: 'ACTIVE',
  },
  {
    n: 6,
    name: 'Chợ Bến Thành',
    kind: 'MARKET',
    provinceCode: '79',
    latitude: 10.7725,
    longitude: 106.698,
    operatorCode: 'HCM-PC',
    scanMode: 'CAMERA',
    status: 'SUSPENDED',
  },
];

/** Demo checkpoints are active from a fixed instant, so the set is the same on every run. */
const DEMO_ACTIVE_FROM = new Date('2025-07-01T00:00:00+07:00');

/**
 * Operators of the demo checkpoints. The organisations subgraph's development users get random ids,
 * so these fixed ids resolve to no `User` until its seed gives them fixed ids too.
 */
/**
 * The organisations subgraph's development users (fixed ids, kit/demo.ts `demoUserId`): the Hà Nội
 * checkpoint officer, and the two provincial health officials who also staff checkpoints.
 */
const DEMO_OPERATOR_SUBJECTS = ['dev-checkpoint-01', 'dev-health-79', 'dev-health-01'] as const;
export const DEMO_OPERATOR_IDS = DEMO_OPERATOR_SUBJECTS.map(demoUserId);

const DEMO_ASSIGNMENTS: readonly { checkpoint: number; operator: number; removed?: boolean }[] = [
  { checkpoint: 1, operator: 0 },
  { checkpoint: 1, operator: 2, removed: true },
  { checkpoint: 2, operator: 0 },
  { checkpoint: 3, operator: 2 },
  { checkpoint: 4, operator: 1 },
  { checkpoint: 5, operator: 1 },
  { checkpoint: 6, operator: 1 },
];
const DEMO_ASSIGNED_AT = new Date('2025-07-01T08:00:00+07:00');
const DEMO_REMOVED_AT = new Date('2025-08-01T08:00:00+07:00');

const DECISION_REASONS: Readonly<Record<Exclude<PassageDecision, 'ALLOWED'>, string>> = {
  TURNED_BACK: 'Không xuất trình được giấy đi đường hợp lệ',
  REFERRED_TO_TESTING: 'Thân nhiệt 38,2°C khi kiểm tra',
  REFERRED_TO_QUARANTINE: 'Đến từ vùng có dịch, chưa có kết quả xét nghiệm',
};

function decisionOf(s: number): PassageDecision {
  if (s % 11 === 0) return 'TURNED_BACK';
  if (s % 13 === 5) return 'REFERRED_TO_TESTING';
  if (s % 17 === 7) return 'REFERRED_TO_QUARANTINE';
  return 'ALLOWED';
}

interface DemoScan {
  /** 1-based index into DEMO_PEOPLE. */
  person: number;
  checkpoint: number;
  daysAgo: number;
  hour: number;
  minute: number;
  direction: 'IN' | 'OUT';
  /** Picks the credential, and the decision unless one is given. */
  s: number;
  decision?: PassageDecision;
  reason?: string;
  movement?: number;
  plate?: string;
}

/**
 * Scans that verified the movement subgraph's demo movements 1-6 (`demoUuid('movement', n)`; its
 * DEMO_MOVEMENTS list: who travels, from which province, when), at departure and, for the first
 * flights, on arrival. The rejected and the cancelled declarations were turned back.
 */
// prettier-ignore
const MOVEMENT_SCANS: readonly DemoScan[] = [
  { movement: 1, person: 1, checkpoint: 2, daysAgo: 12, hour: 5, minute: 40, direction: 'OUT', s: 1 },
  { movement: 2, person: 8, checkpoint: 2, daysAgo: 12, hour: 5, minute: 52, direction: 'OUT', s: 1 },
  { movement: 1, person: 1, checkpoint: 5, daysAgo: 12, hour: 9, minute: 20, direction: 'IN', s: 1 },
  { movement: 2, person: 8, checkpoint: 5, daysAgo: 12, hour: 9, minute: 24, direction: 'IN', s: 1 },
  { movement: 3, person: 7, checkpoint: 5, daysAgo: 10, hour: 12, minute: 45, direction: 'OUT', s: 1 },
  { movement: 3, person: 7, checkpoint: 2, daysAgo: 10, hour: 16, minute: 30, direction: 'IN', s: 1 },
  { movement: 4, person: 3, checkpoint: 1, daysAgo: 9, hour: 20, minute: 35, direction: 'OUT', s: 3, plate: '29B-123.45' },
  { movement: 5, person: 4, checkpoint: 2, daysAgo: 6, hour: 7, minute: 50, direction: 'OUT', s: 1, decision: 'TURNED_BACK', reason: 'Giấy đi đường đã bị từ chối' },
  { movement: 6, person: 10, checkpoint: 4, daysAgo: 4, hour: 18, minute: 20, direction: 'OUT', s: 3, plate: '51B-234.56', decision: 'TURNED_BACK', reason: 'Giấy đi đường đã bị hủy' },
];

/**
 * The demo scans: four of each demo person at checkpoints of their province over the last 14 days
 * (days 1-14 ago, never today, so none is in the future), the movement scans above, and two small
 * clusters for contact tracing (`coPresence`).
 */
function demoScans(): DemoScan[] {
  const scans: DemoScan[] = [];
  for (const person of DEMO_PEOPLE) {
    const home = person.provinceCode === '01' ? [1, 2, 3] : [4, 5];
    for (let j = 0; j < 4; j++) {
      scans.push({
        person: person.index,
        checkpoint: home[(person.index + j) % home.length]!,
        daysAgo: 1 + ((person.index * 5 + j * 3) % 14),
        hour: 6 + ((person.index * 7 + j * 5) % 14),
        minute: (person.index * 13 + j * 7) % 60,
        direction: j % 2 === 1 ? 'OUT' : 'IN',
        s: person.index * 4 + j,
      });
    }
  }
  scans.push(...MOVEMENT_SCANS);
  const cluster = (checkpoint: number, daysAgo: number, hour: number, people: [number, number][]) => {
    for (const [person, minute] of people) {
      scans.push({ person, checkpoint, daysAgo, hour, minute, direction: 'IN', s: 1 });
    }
  };
  cluster(1, 2, 8, [
    [1, 0],
    [2, 10],
    [3, 25],
  ]);
  cluster(5, 4, 14, [
    [7, 0],
    [8, 5],
  ]);
  return scans;
}

function demoPassages(key: PseudonymKey, now: Date): Partial<PassageRow>[] {
  return demoScans().map((scan, i) => {
    const n = i + 1;
    const person = DEMO_PEOPLE[scan.person - 1]!;
    const checkpoint = DEMO_CHECKPOINTS[scan.checkpoint - 1]!;
    const decision = scan.decision ?? decisionOf(scan.s);
    const scannedAt = new Date(demoInstant(scan.daysAgo, scan.hour, now).getTime() + scan.minute * 60_000);
    const plateSeries = person.provinceCode === '01' ? '29A' : '51F';
    const operator = DEMO_ASSIGNMENTS.find((a) => a.checkpoint === scan.checkpoint && !a.removed)!.operator;
    return {
      id: demoUuid('passage', n),
      checkpointId: demoUuid('checkpoint', scan.checkpoint),
      citizenRef: citizenRef({ type: 'CCCD', number: person.documentNumber }, key),
      direction: scan.direction,
      scannedAt,
      credentialType: CREDENTIAL_TYPES[scan.s % CREDENTIAL_TYPES.length]!,
      movementDeclarationId: scan.movement === undefined ? null : demoUuid('movement', scan.movement),
      vehiclePlate:
        scan.plate ??
        (checkpoint.kind === 'PROVINCIAL_GATEWAY' ? `${plateSeries}-${100 + person.index * 7}.${10 + n}` : null),
      decision,
      reason: decision === 'ALLOWED' ? null : (scan.reason ?? DECISION_REASONS[decision]),
      operatorUserId: checkpoint.scanMode === 'OPERATOR_SCANS_PERSON' ? DEMO_OPERATOR_IDS[operator]! : null,
      deviceId: `demo-scanner-${scan.checkpoint}`,
      devicePassageId: `demo-${n}`,
      // Offline devices sync late: up to 90 minutes after the scan.
      receivedAt: new Date(scannedAt.getTime() + (n % 4) * 30 * 60_000),
      recordedBy: SEED_ACTOR,
    };
  });
}

async function seedCheckpoints(m: EntityManager): Promise<number> {
  if ((await m.query(`SELECT 1 FROM checkpoint LIMIT 1`)).length) return 0;
  await m.getRepository(CheckpointRow).insert(
    DEMO_CHECKPOINTS.map(({ n, ...c }) => ({
      ...c,
      id: demoUuid('checkpoint', n),
      districtCode: null,
      wardCode: null,
      activeFrom: DEMO_ACTIVE_FROM,
      activeTo: null,
      createdBy: SEED_ACTOR,
      createdAt: DEMO_ACTIVE_FROM,
    })),
  );
  await m.getRepository(CheckpointOperatorRow).insert(
    DEMO_ASSIGNMENTS.map((a) => ({
      checkpointId: demoUuid('checkpoint', a.checkpoint),
      userId: DEMO_OPERATOR_IDS[a.operator]!,
      operatorSubject: DEMO_OPERATOR_SUBJECTS[a.operator]!,
      assignedBy: SEED_ACTOR,
      assignedAt: DEMO_ASSIGNED_AT,
      removedBy: a.removed ? SEED_ACTOR : null,
      removedAt: a.removed ? DEMO_REMOVED_AT : null,
    })),
  );
  return DEMO_CHECKPOINTS.length;
}

async function seedPassages(m: EntityManager, key: PseudonymKey, now: Date): Promise<number> {
  if ((await m.query(`SELECT 1 FROM passage LIMIT 1`)).length) return 0;
  const demo: unknown[] = await m.query(`SELECT 1 FROM checkpoint WHERE id = $1`, [demoUuid('checkpoint', 1)]);
  if (!demo.length) return 0; // a database with real checkpoints gets no demo scans
  const passages = demoPassages(key, now);
  await m.getRepository(PassageRow).insert(passages);
  return passages.length;
}

/**
 * The deterministic demo set (development only), seeded into an empty database: checkpoints in
 * provinces 01 and 79 with their operators, and the demo people's passages over the last 14 days
 * (their refs need the pseudonymisation key). Idempotent; safe when several replicas start at once.
 */
export async function seedDevelopment(
  ds: DataSource,
  log: Logger,
  ctx?: SeedContext,
  now: Date = new Date(),
): Promise<void> {
  const counts = await ds.transaction(async (m) => {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('checkpoints seed'))`);
    const checkpoints = await seedCheckpoints(m);
    const passages = ctx ? await seedPassages(m, ctx.pseudonymKey, now) : 0;
    return { checkpoints, passages };
  });
  if (!ctx) log.warn('the development seed got no pseudonymisation key: demo passages not seeded');
  if (counts.checkpoints || counts.passages) log.info(counts, 'demo checkpoints and passages seeded');
}
