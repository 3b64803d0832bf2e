import type { EntityManager } from 'typeorm';
import { DEVICE_LOCK } from '../kit/locks';
import type { PassageRow } from './entities';

/*
 * Raw SQL for the passage write path and the queries TypeORM's builders cannot express (one
 * multi-row INSERT … ON CONFLICT … RETURNING, window joins): the column list and the mapping of
 * raw rows to `PassageRow`.
 */

/** Every column of `passage`, in table order. */
export const PASSAGE_COLUMNS = [
  'id',
  'checkpoint_id',
  'citizen_ref',
  'direction',
  'scanned_at',
  'credential_type',
  'movement_declaration_id',
  'vehicle_plate',
  'decision',
  'reason',
  'operator_user_id',
  'device_id',
  'device_passage_id',
  'received_at',
  'recorded_by',
] as const;

export function passageFromRaw(r: Record<string, unknown>): PassageRow {
  return {
    id: r.id as string,
    checkpointId: r.checkpoint_id as string,
    citizenRef: r.citizen_ref as string,
    direction: r.direction as PassageRow['direction'],
    scannedAt: r.scanned_at as Date,
    credentialType: r.credential_type as PassageRow['credentialType'],
    movementDeclarationId: (r.movement_declaration_id as string | null) ?? null,
    vehiclePlate: (r.vehicle_plate as string | null) ?? null,
    decision: r.decision as PassageRow['decision'],
    reason: (r.reason as string | null) ?? null,
    operatorUserId: (r.operator_user_id as string | null) ?? null,
    deviceId: (r.device_id as string | null) ?? null,
    devicePassageId: (r.device_passage_id as string | null) ?? null,
    receivedAt: r.received_at as Date,
    recordedBy: r.recorded_by as string,
  };
}

/** A passage as the write path stores it: the server sets id and received_at. */
export type NewPassage = Omit<PassageRow, 'id' | 'receivedAt' | 'checkpoint'>;

/** The columns the write path sets (all but those the server fills: id, received_at), with their types. */
const INSERTED = [
  ['checkpoint_id', 'uuid'],
  ['citizen_ref', 'text'],
  ['direction', 'text'],
  ['scanned_at', 'timestamptz'],
  ['credential_type', 'text'],
  ['movement_declaration_id', 'uuid'],
  ['vehicle_plate', 'text'],
  ['decision', 'text'],
  ['reason', 'text'],
  ['operator_user_id', 'uuid'],
  ['device_id', 'text'],
  ['device_passage_id', 'text'],
  ['recorded_by', 'text'],
] as const satisfies readonly (readonly [(typeof PASSAGE_COLUMNS)[number], string])[];

const values = (p: NewPassage): unknown[] => [
  p.checkpointId,
  p.citizenRef,
  p.direction,
  p.scannedAt,
  p.credentialType,
  p.movementDeclarationId,
  p.vehiclePlate,
  p.decision,
  p.reason,
  p.operatorUserId,
  p.deviceId,
  p.devicePassageId,
  p.recordedBy,
];

const INSERT_SQL = `INSERT INTO passage (${INSERTED.map(([c]) => c).join(', ')})
  SELECT * FROM unnest(${INSERTED.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})
  ON CONFLICT (device_id, device_passage_id, scanned_at) DO NOTHING
  RETURNING id, received_at, device_passage_id`;

/**
 * Inserts the passages in one statement of 13 parameters whatever their number: one array per
 * column, `unnest`ed into rows (a VALUES list takes 13 parameters a row, and PostgreSQL allows
 * 65,535 in all; the statement's text, and so its entry in pg_stat_statements, stays the same for
 * every batch size; measured the same speed at 1,000 rows, docs/PERFORMANCE.md step 9). A passage whose
 * (device_id, device_passage_id, scanned_at) is already stored is skipped (ON CONFLICT DO NOTHING):
 * the rows returned are the ones stored now, in no particular order.
 *
 * The table is partitioned by scanned_at, so the unique key holds the scan time: it catches a retry
 * (which repeats the scan time) even when two syncs race, but not the same device id sent again
 * with another time. Device writes therefore first take `lockDevice` and look the ids up in every
 * partition (`storedDevicePassages`), and insert only what is not there.
 */
export async function insertPassages(m: EntityManager, passages: readonly NewPassage[]): Promise<PassageRow[]> {
  if (passages.length === 0) return [];
  // Only what the server set comes back (id, received_at): the rest of a stored row is what was sent
  // (the write path stores its values unchanged), so 1,000 rows are not read back and parsed again.
  // Rows are matched to their passage by device id, unique within one device's batch; a passage
  // without one is only ever written alone.
  const [first] = passages;
  if (passages.length > 1 && passages.some((p) => p.deviceId !== first!.deviceId || p.devicePassageId === null)) {
    throw new Error('insertPassages: several passages are written only as one device batch');
  }
  const columns: unknown[][] = INSERTED.map(() => new Array<unknown>(passages.length));
  passages.forEach((p, row) => values(p).forEach((v, i) => (columns[i]![row] = v)));
  const rows = (await m.query(INSERT_SQL, columns)) as {
    id: string;
    received_at: Date;
    device_passage_id: string | null;
  }[];
  const sent = new Map(passages.map((p) => [p.devicePassageId, p]));
  return rows.map((r) => storedPassage(sent.get(r.device_passage_id)!, r.id, r.received_at));
}

/**
 * The row as stored: what was sent, with the server's id and receipt time. Built field by field:
 * `{ ...p, id, receivedAt }` took 9 % of the subgraph's busy time under ingest (V8's object-spread
 * fast path does not take these objects; docs/PERFORMANCE.md step 14).
 */
function storedPassage(p: NewPassage, id: string, receivedAt: Date): PassageRow {
  return {
    id,
    checkpointId: p.checkpointId,
    citizenRef: p.citizenRef,
    direction: p.direction,
    scannedAt: p.scannedAt,
    credentialType: p.credentialType,
    movementDeclarationId: p.movementDeclarationId,
    vehiclePlate: p.vehiclePlate,
    decision: p.decision,
    reason: p.reason,
    operatorUserId: p.operatorUserId,
    deviceId: p.deviceId,
    devicePassageId: p.devicePassageId,
    receivedAt,
    recordedBy: p.recordedBy,
  };
}

/**
 * The passages a device already sent, by its own ids, on any day: the function
 * `stored_device_passages` (migration DevicePassageLookup), whose statement is planned once per
 * connection — planned on each call, the look-up cost ~3.5 ms at ~30 day partitions whatever the
 * number of ids. It sorts the ids once, so each partition's index scan finds them in order instead
 * of sorting them itself (1,000 ids at ~30 partitions: 15.6 → 3.4 ms a batch; docs/PERFORMANCE.md step 14).
 */
export async function storedDevicePassages(
  m: EntityManager,
  deviceId: string,
  devicePassageIds: readonly string[],
): Promise<Map<string, PassageRow>> {
  if (devicePassageIds.length === 0) return new Map();
  const rows = (await m.query(`SELECT ${PASSAGE_COLUMNS.join(', ')} FROM stored_device_passages($1, $2::text[])`, [
    deviceId,
    devicePassageIds,
  ])) as Record<string, unknown>[];
  return new Map(rows.map((r) => [r.device_passage_id as string, passageFromRaw(r)]));
}

/**
 * Serialises this device's passage writes until the transaction ends (a transaction-level advisory
 * lock on the device id's hash): a look-up by `storedDevicePassages` made after it stays true until
 * the insert, so a device scan id is stored at most once, whatever day it names.
 */
export async function lockDevice(m: EntityManager, deviceId: string): Promise<void> {
  await m.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [DEVICE_LOCK, deviceId]);
}
