import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { SingleBar } from 'cli-progress';
import { citizenRef, type PseudonymKey } from '../subgraphs/kit/pseudonym';

/**
 * The benchmark's data set, written straight into the subgraphs' databases with PostgreSQL COPY
 * (text format, one stream per table), deterministic from a seed: the same seed, scale and day give
 * the same rows. Column lists only (no table rewrites), so partitioned tables keep working.
 */

export interface Scale {
  passages: number;
  declarations: number;
  citizens: number;
  checkpoints: number;
}

/** `10m`, `1m`, `200k` or a plain number of passages; declarations are half of them. */
export function parseScale(raw: string): Scale {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(raw.trim());
  if (!m) throw new Error(`--scale: expected e.g. 10m, 1m, 200k or 50000, got "${raw}"`);
  const passages = Math.round(Number(m[1]) * (m[2]!.toLowerCase() === 'm' ? 1e6 : m[2] ? 1e3 : 1));
  if (passages < 1_000 || passages > 10_000_000) throw new Error('--scale: between 1k and 10m passages');
  const declarations = Math.floor(passages / 2);
  return {
    passages,
    declarations,
    citizens: Math.max(100, Math.floor(declarations / 4)),
    checkpoints: Math.min(1_000, Math.max(50, Math.floor(passages / 2_000))),
  };
}

/** Checkpoints 0..HUBS-1 are airports that see HUB_SHARE of all passages (the who-passed scenario). */
export const HUBS = 5;
const HUB_SHARE = 0.2;
const PROVINCES = ['01', '79', '31', '48', '92'] as const;
export const BENCH_ACTOR = 'system:bench';
export const BENCH_SUBJECT = 'bench-national';
export const BENCH_ORGANISATION = 'BENCH-MOH';
export const BENCH_USER_ID = 'be000000-0000-4000-8000-000000000001';
/** The checkpoint the ingest scenarios write to (not a hub: the reads stay comparable). */
export const INGEST_CHECKPOINT_ID = 'be000000-0000-4000-8000-000000000002';

/** Deterministic UUIDs per table: `<prefix>-0000-4000-8000-<n>`. */
export const benchUuid = (table: number, n: number) =>
  `b${String(table).padStart(7, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`;
export const checkpointId = (n: number) => benchUuid(4, n);

/** mulberry32: small, fast and deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Vũ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương'];
const MIDDLE = ['Văn', 'Thị', 'Minh', 'Ngọc', 'Quốc', 'Thu', 'Hoàng', 'Thanh'];
const GIVEN = ['An', 'Bình', 'Cường', 'Dung', 'Đức', 'Hà', 'Huy', 'Lan', 'Minh', 'Ngọc', 'Phong', 'Quỳnh', 'Sơn'];

/** The i-th bench person's identity: a valid, unique 12-digit CCCD (birth province, century/sex, year). */
export function benchPerson(i: number) {
  const province = i % 2 === 0 ? '01' : '79';
  const sex = (i >> 1) % 2 === 0 ? ('MALE' as const) : ('FEMALE' as const);
  const yearOfBirth = 1950 + (Math.floor(i / 4) % 60);
  const century = (Math.floor(yearOfBirth / 100) - 19) * 2 + (sex === 'FEMALE' ? 1 : 0);
  const serial = String(Math.floor(i / 240)).padStart(6, '0');
  const documentNumber = `0${province}${century}${String(yearOfBirth % 100).padStart(2, '0')}${serial}`;
  const fullName = `${FAMILY[i % FAMILY.length]} ${MIDDLE[(i >> 2) % MIDDLE.length]} ${GIVEN[(i >> 5) % GIVEN.length]}`;
  return { province, sex, yearOfBirth, documentNumber, fullName };
}

export function benchRefs(scale: Scale, key: PseudonymKey): string[] {
  const refs = new Array<string>(scale.citizens);
  for (let i = 0; i < scale.citizens; i++) {
    refs[i] = citizenRef({ type: 'CCCD', number: benchPerson(i).documentNumber }, key);
  }
  return refs;
}

/** How many of `total` items citizen i owns (spread evenly, integer counts). */
const share = (i: number, total: number, citizens: number) =>
  Math.floor(((i + 1) * total) / citizens) - Math.floor((i * total) / citizens);

type Cell = string | number | boolean | null;
const DAY = 86_400_000;
const text = (v: Cell) =>
  v === null ? '\\N' : String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
const line = (cells: Cell[]) => cells.map(text).join('\t') + '\n';
const iso = (ms: number) => new Date(ms).toISOString();

interface TableStream {
  table: string;
  columns: string[];
  rows: number;
  generate(emit: (cells: Cell[]) => boolean): Generator<void, void, void>;
}

async function copyTable(client: Client, t: TableStream, onRows: (n: number) => void): Promise<void> {
  const stream = client.query(copyFrom(`COPY ${t.table} (${t.columns.join(', ')}) FROM STDIN`));
  const done = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  let buffer = '';
  let pending = 0;
  const flush = async () => {
    if (!buffer) return;
    const ok = stream.write(buffer);
    buffer = '';
    onRows(pending);
    pending = 0;
    if (!ok) await new Promise((r) => stream.once('drain', r));
  };
  const emit = (cells: Cell[]) => {
    buffer += line(cells);
    pending++;
    return buffer.length > 1 << 20;
  };
  for (const _ of t.generate(emit)) {
    void _;
    if (buffer.length > 1 << 20) await flush();
  }
  await flush();
  stream.end();
  await done;
}

export interface SeedTargets {
  organisations: string;
  declarations: string;
  movement: string;
  checkpoints: string;
}

/**
 * Seeds every table the scenarios read, relative to `now` (declarations over 20 days, journeys and
 * passages over 25), plus the bench user with national health-official and checkpoint-officer grants.
 * Returns the number of rows written and the COPY rate.
 */
export async function seed(
  urls: SeedTargets,
  scale: Scale,
  seedValue: number,
  refs: string[],
  now: number,
  log: (msg: string) => void,
): Promise<{ rows: number; seconds: number; passagesPerSecond: number }> {
  const C = scale.citizens;
  const declarationsTables: TableStream[] = [
    {
      table: 'citizen',
      columns: ['ref', 'document_type', 'document_number', 'document_country', 'created_at'],
      rows: C,
      *generate(emit) {
        for (let i = 0; i < C; i++) {
          emit([refs[i]!, 'CCCD', benchPerson(i).documentNumber, 'VN', iso(now - 30 * DAY)]);
          if ((i & 1023) === 0) yield;
        }
      },
    },
    {
      table: 'identity_snapshot',
      columns: [
        'id',
        'citizen_ref',
        'declared_at',
        'full_name',
        'year_of_birth',
        'sex',
        'nationality',
        'phone',
        'address_province_code',
        'address_detail',
      ],
      rows: scale.declarations,
      *generate(emit) {
        const rnd = prng(seedValue ^ 0x1d);
        let n = 0;
        for (let i = 0; i < C; i++) {
          const p = benchPerson(i);
          for (let k = share(i, scale.declarations, C); k > 0; k--, n++) {
            const at = now - Math.floor(rnd() * 20 * DAY);
            emit([
              benchUuid(1, n),
              refs[i]!,
              iso(at),
              p.fullName,
              p.yearOfBirth,
              p.sex,
              'VN',
              `09${String(i).padStart(8, '0')}`,
              p.province,
              `${i % 300} Phố Bench`,
            ]);
          }
          if ((i & 1023) === 0) yield;
        }
      },
    },
    {
      table: 'health_declaration',
      columns: [
        'id',
        'version',
        'citizen_ref',
        'kind',
        'questionnaire_version',
        'channel',
        'declared_by',
        'submitted_at',
        'province_code',
        'identity_snapshot_id',
        'symptom_window_days',
        'symptoms',
        'symptomatic',
        'answers',
        'recorded_by',
        'recorded_at',
      ],
      rows: scale.declarations,
      *generate(emit) {
        const rnd = prng(seedValue ^ 0x1d); // the same draws as the snapshots: same instants
        let n = 0;
        for (let i = 0; i < C; i++) {
          const p = benchPerson(i);
          for (let k = share(i, scale.declarations, C); k > 0; k--, n++) {
            const at = now - Math.floor(rnd() * 20 * DAY);
            const sick = n % 17 === 0;
            const answers = `{"symptomOnset":null,"temperatureCelsius":${sick ? 38.1 : 36.6},"exposures":[],"travelHistory":[],"vaccination":null,"latestTest":null}`;
            emit([
              benchUuid(2, n),
              1,
              refs[i]!,
              n % 5 === 0 ? 'DAILY_MONITORING' : 'UNIVERSAL',
              '2021-08',
              'app',
              'SELF',
              iso(at),
              p.province,
              benchUuid(1, n),
              14,
              sick ? '{FEVER,COUGH}' : '{}',
              sick,
              answers,
              BENCH_ACTOR,
              iso(at),
            ]);
          }
          if ((i & 1023) === 0) yield;
        }
      },
    },
  ];
  const movementTables: TableStream[] = [
    {
      table: 'movement_declaration',
      columns: [
        'id',
        'citizen_ref',
        'companion_refs',
        'mode',
        'conveyance_id',
        'depart_at',
        'arrive_at',
        'origin_province_code',
        'destination_province_code',
        'transit_unit_codes',
        'status',
        'valid_until',
        'declared_by',
        'declared_at',
      ],
      rows: C,
      *generate(emit) {
        const rnd = prng(seedValue ^ 0x2e);
        for (let i = 0; i < C; i++) {
          const depart = now - Math.floor(rnd() * 25 * DAY);
          const from = PROVINCES[i % PROVINCES.length]!;
          const to = PROVINCES[(i + 1) % PROVINCES.length]!;
          emit([
            benchUuid(3, i),
            refs[i]!,
            '{}',
            i % 3 === 0 ? 'PLANE' : 'COACH',
            i % 3 === 0 ? `VN${200 + (i % 90)}` : `29B-${String(i % 100_000).padStart(5, '0')}`,
            iso(depart),
            iso(depart + 2 * 3_600_000),
            from,
            to,
            '{}',
            'APPROVED',
            iso(depart + DAY),
            BENCH_ACTOR,
            iso(depart - DAY),
          ]);
          if ((i & 1023) === 0) yield;
        }
      },
    },
  ];
  const K = scale.checkpoints;
  const checkpointTables: TableStream[] = [
    {
      table: 'checkpoint',
      columns: ['id', 'name', 'kind', 'province_code', 'scan_mode', 'active_from', 'status', 'created_by'],
      rows: K + 1,
      *generate(emit) {
        for (let k = 0; k < K; k++) {
          const hub = k < HUBS;
          emit([
            checkpointId(k),
            hub ? `Bench airport ${k}` : `Bench checkpoint ${k}`,
            hub ? 'AIRPORT' : 'URBAN_CHECKPOINT',
            PROVINCES[k % PROVINCES.length]!,
            'OPERATOR_SCANS_PERSON',
            iso(now - 60 * DAY),
            'ACTIVE',
            BENCH_ACTOR,
          ]);
        }
        emit([
          INGEST_CHECKPOINT_ID,
          'Bench ingest gate',
          'PROVINCIAL_GATEWAY',
          '01',
          'OPERATOR_SCANS_PERSON',
          iso(now - 60 * DAY),
          'ACTIVE',
          BENCH_ACTOR,
        ]);
        yield;
      },
    },
    {
      table: 'passage',
      columns: [
        'id',
        'checkpoint_id',
        'citizen_ref',
        'direction',
        'scanned_at',
        'credential_type',
        'movement_declaration_id',
        'decision',
        'recorded_by',
        'received_at',
      ],
      rows: scale.passages,
      *generate(emit) {
        const rnd = prng(seedValue ^ 0x3f);
        let n = 0;
        for (let i = 0; i < C; i++) {
          for (let k = share(i, scale.passages, C); k > 0; k--, n++) {
            const hub = rnd() < HUB_SHARE;
            const cp = hub ? Math.floor(rnd() * HUBS) : HUBS + Math.floor(rnd() * (K - HUBS));
            const at = now - Math.floor(rnd() * 25 * DAY);
            emit([
              benchUuid(5, n),
              checkpointId(cp),
              refs[i]!,
              n % 2 ? 'OUT' : 'IN',
              iso(at),
              'PERSONAL_QR',
              hub ? benchUuid(3, i) : null,
              n % 50 === 0 ? 'REFERRED_TO_TESTING' : 'ALLOWED',
              BENCH_ACTOR,
              iso(at),
            ]);
          }
          if ((i & 1023) === 0) yield;
        }
      },
    },
  ];

  const total = [...declarationsTables, ...movementTables, ...checkpointTables].reduce((s, t) => s + t.rows, 0);
  const bar = new SingleBar({
    format: 'seeding [{bar}] {percentage}% | {value}/{total} rows | {eta_formatted} left',
    noTTYOutput: true,
    notTTYSchedule: 5_000,
  });
  bar.start(total, 0);
  const started = Date.now();
  let passageSeconds = 0;
  const run = async (url: string, tables: TableStream[]) => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      for (const t of tables) {
        const t0 = Date.now();
        await copyTable(client, t, (n) => bar.increment(n));
        if (t.table === 'passage') passageSeconds = (Date.now() - t0) / 1000;
      }
      // VACUUM as well: freshly copied tables would otherwise be vacuumed (an insert-triggered autovacuum)
      // in the middle of the first scenario's window, charging its PostgreSQL CPU to that gateway
      await client.query('VACUUM (ANALYZE)');
    } finally {
      await client.end();
    }
  };
  try {
    await Promise.all([
      run(urls.declarations, declarationsTables),
      run(urls.movement, movementTables),
      run(urls.checkpoints, checkpointTables),
    ]);
  } finally {
    bar.stop();
  }
  await seedBenchUser(urls);
  const seconds = (Date.now() - started) / 1000;
  log(
    `seeded ${total} rows in ${seconds.toFixed(1)} s (passages by COPY: ${Math.round(scale.passages / passageSeconds)}/s)`,
  );
  return { rows: total, seconds, passagesPerSecond: scale.passages / passageSeconds };
}

/** The bench caller: national health official and checkpoint officer, operator of the ingest gate. */
async function seedBenchUser(urls: SeedTargets): Promise<void> {
  const org = new Client({ connectionString: urls.organisations });
  await org.connect();
  try {
    await org.query(
      `INSERT INTO organisation (code, name, kind, created_by) VALUES ($1, 'Bench health ministry', 'GOVERNMENT_AGENCY', $2)`,
      [BENCH_ORGANISATION, BENCH_ACTOR],
    );
    await org.query(
      `INSERT INTO app_user (id, subject, kind, display_name, organisation_id, created_by)
       SELECT $1, $2, 'user', 'Bench health official', id, $3 FROM organisation WHERE code = $4`,
      [BENCH_USER_ID, BENCH_SUBJECT, BENCH_ACTOR, BENCH_ORGANISATION],
    );
    for (const role of ['health_official', 'checkpoint_officer']) {
      await org.query(
        `INSERT INTO role_grant (user_id, role, jurisdiction_code, include_descendants, valid_from, granted_by)
         VALUES ($1, $2, NULL, true, now() - interval '1 day', $3)`,
        [BENCH_USER_ID, role, BENCH_ACTOR],
      );
    }
  } finally {
    await org.end();
  }
  const cps = new Client({ connectionString: urls.checkpoints });
  await cps.connect();
  try {
    await cps.query(
      `INSERT INTO checkpoint_operator (checkpoint_id, user_id, operator_subject, assigned_by) VALUES ($1, $2, $3, $4)`,
      [INGEST_CHECKPOINT_ID, BENCH_USER_ID, BENCH_SUBJECT, BENCH_ACTOR],
    );
  } finally {
    await cps.end();
  }
}
