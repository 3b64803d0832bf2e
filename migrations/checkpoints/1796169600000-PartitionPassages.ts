import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createOutboxTriggers, dropOutboxTriggers, type OutboxTable } from '../../subgraphs/kit/outbox';
import {
  createDefaultPartition,
  createPartition,
  createPartitionFunctions,
  dropPartitionFunctions,
  periodStart,
  type PartitionSpec,
} from '../../subgraphs/kit/partitions';

/**
 * Passages in one partition per Viet Nam calendar day (PARTITION BY RANGE (scanned_at)), plus a
 * DEFAULT partition, so retention drops whole days (docs/PERFORMANCE.md, "Partitioning").
 *
 * Every unique key of a partitioned table must contain the partition key: the primary key becomes
 * (id, scanned_at) — id stays unique in practice (gen_random_uuid), and loaders by id use the key's
 * leading column in each partition — and the device key becomes (device_id, device_passage_id,
 * scanned_at): a retried sync repeats the scan time, so it still conflicts; a repeat with another
 * scan time is caught by the write path under a per-device lock (checkpoints/passage-rows.ts).
 *
 * The table is rebuilt: the old one renamed aside, the partitioned one created under the old names
 * (constraints, indexes, outbox triggers: statement-level triggers with transition tables work on a
 * partitioned parent and see the rows of every partition), one partition made for each day that has
 * rows, the rows copied (before the triggers exist: moving is no change for the feed), the old table
 * dropped. Future days are made at start-up and daily (kit/partitions.ts), not here.
 */

/** Copied from the Outbox migration (a released migration's list never changes). */
const PASSAGE_OUTBOX: OutboxTable = {
  table: 'passage',
  entityType: 'Passage',
  id: 'r.id::text',
  join: 'JOIN checkpoint c ON c.id = r.checkpoint_id',
  unitCodes: 'ARRAY[c.province_code, c.district_code, c.ward_code]',
};

const SPEC: PartitionSpec = { table: 'passage', column: 'scanned_at', period: 'day' };

const COLUMNS = `id, checkpoint_id, citizen_ref, direction, scanned_at, credential_type, movement_declaration_id,
  vehicle_plate, decision, reason, operator_user_id, device_id, device_passage_id, received_at, recorded_by`;

const INDEXES = [
  'pk_passage',
  'ix_passage_checkpoint_scanned',
  'ix_passage_citizen_scanned',
  'ix_passage_movement',
  'uq_passage_device',
];

/** The table's columns and constraints, with the given primary key. */
const definition = (primaryKey: string) => `(
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  checkpoint_id uuid NOT NULL,
  citizen_ref text NOT NULL,
  direction text NOT NULL,
  scanned_at timestamptz(3) NOT NULL,
  credential_type text NOT NULL,
  movement_declaration_id uuid,
  vehicle_plate text,
  decision text NOT NULL,
  reason text,
  operator_user_id uuid,
  device_id text,
  device_passage_id text,
  received_at timestamptz(3) NOT NULL DEFAULT now(),
  recorded_by text NOT NULL,
  CONSTRAINT pk_passage PRIMARY KEY (${primaryKey}),
  CONSTRAINT fk_passage_checkpoint FOREIGN KEY (checkpoint_id)
    REFERENCES checkpoint (id) ON DELETE RESTRICT ON UPDATE NO ACTION,
  CONSTRAINT ck_passage_direction CHECK (direction IN ('IN', 'OUT')),
  CONSTRAINT ck_passage_credential_type CHECK (credential_type IN ('PERSONAL_QR', 'PRINTED_QR',
    'HEALTH_INSURANCE_QR', 'CHIP_ID_CARD', 'MANUAL')),
  CONSTRAINT ck_passage_decision CHECK (decision IN ('ALLOWED', 'TURNED_BACK', 'REFERRED_TO_TESTING',
    'REFERRED_TO_QUARANTINE')),
  CONSTRAINT ck_passage_device CHECK ((device_id IS NULL) = (device_passage_id IS NULL))
)`;

async function createIndexes(q: QueryRunner, deviceKey: string): Promise<void> {
  await q.query(`CREATE INDEX ix_passage_checkpoint_scanned ON passage (checkpoint_id, scanned_at, id)`);
  await q.query(`CREATE INDEX ix_passage_citizen_scanned ON passage (citizen_ref, scanned_at)`);
  await q.query(`CREATE INDEX ix_passage_movement ON passage (movement_declaration_id)`);
  await q.query(`CREATE UNIQUE INDEX uq_passage_device ON passage (${deviceKey})`);
}

/** Renames the current `passage` and its indexes out of the way (index names are schema-wide). */
async function setAside(q: QueryRunner, suffix: string): Promise<string> {
  await dropOutboxTriggers(q, [PASSAGE_OUTBOX]);
  await q.query(`ALTER TABLE passage RENAME TO passage_${suffix}`);
  for (const index of INDEXES) await q.query(`ALTER INDEX ${index} RENAME TO ${index}_${suffix}`);
  return `passage_${suffix}`;
}

export class PartitionPassages1796169600000 implements MigrationInterface {
  name = 'PartitionPassages1796169600000';

  async up(q: QueryRunner): Promise<void> {
    const old = await setAside(q, 'unpartitioned');
    await q.query(`CREATE TABLE passage ${definition('id, scanned_at')} PARTITION BY RANGE (scanned_at)`);
    await createIndexes(q, 'device_id, device_passage_id, scanned_at');
    await createPartitionFunctions(q);
    await createDefaultPartition(q, SPEC);
    const days = (await q.query(
      `SELECT DISTINCT date_trunc('day', scanned_at, 'Asia/Ho_Chi_Minh') AS start FROM ${old} ORDER BY 1`,
    )) as { start: Date }[];
    for (const { start } of days) await createPartition(q, SPEC, periodStart(start, SPEC.period));
    await q.query(`INSERT INTO passage (${COLUMNS}) SELECT ${COLUMNS} FROM ${old}`);
    await q.query(`DROP TABLE ${old}`);
    await createOutboxTriggers(q, [PASSAGE_OUTBOX]);
  }

  /** Back to one table; fails (and changes nothing) if a device key was stored twice meanwhile. */
  async down(q: QueryRunner): Promise<void> {
    const partitioned = await setAside(q, 'partitioned');
    await q.query(`CREATE TABLE passage ${definition('id')}`);
    await createIndexes(q, 'device_id, device_passage_id');
    await q.query(`INSERT INTO passage (${COLUMNS}) SELECT ${COLUMNS} FROM ${partitioned}`);
    await q.query(`DROP TABLE ${partitioned}`); // with its partitions
    await dropPartitionFunctions(q);
    await createOutboxTriggers(q, [PASSAGE_OUTBOX]);
  }
}
