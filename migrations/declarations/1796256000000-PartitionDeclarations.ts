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
 * Health declarations in one partition per Viet Nam week (Monday to Sunday) of `submitted_at`
 * (PARTITION BY RANGE), plus a DEFAULT partition, so retention drops whole weeks
 * (docs/PERFORMANCE.md, "Partitioning"). An amendment keeps the declaration's `submitted_at`, so
 * every version of a declaration lies in the same partition.
 *
 * Every unique key of a partitioned table must contain the partition key: the primary key becomes
 * (id, version, submitted_at) and the current-version index (id, submitted_at) WHERE superseded_at
 * IS NULL — still at most one current version per declaration, since its versions share
 * submitted_at. Nothing references the table by foreign key (a monitoring period names its source
 * declaration without one); its own foreign keys (citizen, identity snapshot) stay.
 *
 * The table is rebuilt as the passages' was: the old one set aside (its indexes renamed, index names
 * are schema-wide), the partitioned one created LIKE it (columns in the same order, defaults, NOT
 * NULLs and CHECKs with their names) with its keys and indexes under the old names, one partition
 * made for each week that has rows, the rows copied before the outbox triggers exist (moving is no
 * change for the feed), the old table dropped. Weeks ahead are made at start-up and daily.
 */

/** Copied from the Outbox migration (a released migration's list never changes). */
const DECLARATION_OUTBOX: OutboxTable = {
  table: 'health_declaration',
  entityType: 'HealthDeclaration',
  id: 'r.id::text',
  unitCodes: 'ARRAY[r.province_code, r.district_code, r.ward_code]',
  kinds: { INSERT: "CASE WHEN r.version = 1 THEN 'CREATED' ELSE 'UPDATED' END" },
};

const SPEC: PartitionSpec = { table: 'health_declaration', column: 'submitted_at', period: 'week' };

/** Every index of the table but the primary key, by name; `%current%` is the current-version key. */
const INDEXES: Record<string, string> = {
  uq_health_declaration_current: `UNIQUE INDEX %name% ON health_declaration (%current%) WHERE superseded_at IS NULL`,
  ix_health_declaration_citizen_submitted: `INDEX %name% ON health_declaration (citizen_ref, submitted_at DESC)`,
  ix_health_declaration_province_submitted: `INDEX %name% ON health_declaration (province_code, submitted_at DESC)`,
  ix_health_declaration_province_kind_submitted: `INDEX %name% ON health_declaration (province_code, kind, submitted_at DESC)`,
  ix_health_declaration_district_submitted: `INDEX %name% ON health_declaration (district_code, submitted_at DESC)`,
  ix_health_declaration_ward_submitted: `INDEX %name% ON health_declaration (ward_code, submitted_at DESC)`,
  ix_health_declaration_symptomatic: `INDEX %name% ON health_declaration (province_code, submitted_at DESC)
    WHERE symptomatic AND superseded_at IS NULL`,
  ix_health_declaration_identity_snapshot: `INDEX %name% ON health_declaration (identity_snapshot_id)`,
};

/** Renames the current table and its indexes out of the way; returns the name it now has. */
async function setAside(q: QueryRunner, suffix: string): Promise<string> {
  await dropOutboxTriggers(q, [DECLARATION_OUTBOX]);
  await q.query(`ALTER TABLE health_declaration RENAME TO health_declaration_${suffix}`);
  for (const index of ['pk_health_declaration', ...Object.keys(INDEXES)]) {
    await q.query(`ALTER INDEX ${index} RENAME TO ${index}_${suffix}`);
  }
  return `health_declaration_${suffix}`;
}

/** The table's keys and indexes, with the given primary and current-version keys. */
async function createKeys(q: QueryRunner, primaryKey: string, currentKey: string): Promise<void> {
  await q.query(`
    ALTER TABLE health_declaration
      ADD CONSTRAINT pk_health_declaration PRIMARY KEY (${primaryKey}),
      ADD CONSTRAINT fk_health_declaration_citizen FOREIGN KEY (citizen_ref) REFERENCES citizen (ref),
      ADD CONSTRAINT fk_health_declaration_identity_snapshot
        FOREIGN KEY (identity_snapshot_id) REFERENCES identity_snapshot (id)`);
  for (const [name, definition] of Object.entries(INDEXES)) {
    await q.query(`CREATE ${definition.replace('%name%', name).replace('%current%', currentKey)}`);
  }
}

export class PartitionDeclarations1796256000000 implements MigrationInterface {
  name = 'PartitionDeclarations1796256000000';

  async up(q: QueryRunner): Promise<void> {
    const old = await setAside(q, 'unpartitioned');
    await q.query(`
      CREATE TABLE health_declaration (LIKE ${old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
        PARTITION BY RANGE (submitted_at)`);
    await createKeys(q, 'id, version, submitted_at', 'id, submitted_at');
    await createPartitionFunctions(q);
    await createDefaultPartition(q, SPEC);
    const weeks = (await q.query(
      `SELECT DISTINCT date_trunc('week', submitted_at, 'Asia/Ho_Chi_Minh') AS start FROM ${old} ORDER BY 1`,
    )) as { start: Date }[];
    for (const { start } of weeks) await createPartition(q, SPEC, periodStart(start, SPEC.period));
    await q.query(`INSERT INTO health_declaration SELECT * FROM ${old}`);
    await q.query(`DROP TABLE ${old}`);
    await createOutboxTriggers(q, [DECLARATION_OUTBOX]);
  }

  /** Back to one table; fails (and changes nothing) if a key (id, version) was stored twice meanwhile. */
  async down(q: QueryRunner): Promise<void> {
    const partitioned = await setAside(q, 'partitioned');
    await q.query(`CREATE TABLE health_declaration (LIKE ${partitioned} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    await createKeys(q, 'id, version', 'id');
    await q.query(`INSERT INTO health_declaration SELECT * FROM ${partitioned}`);
    await q.query(`DROP TABLE ${partitioned}`); // with its partitions
    await dropPartitionFunctions(q);
    await createOutboxTriggers(q, [DECLARATION_OUTBOX]);
  }
}
