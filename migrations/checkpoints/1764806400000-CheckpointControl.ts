import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createAdminUnitTables, dropAdminUnitTables } from '../../subgraphs/kit/admin-units/schema';
import { createIdempotencyTable, dropIdempotencyTable } from '../../subgraphs/kit/idempotency';

/**
 * Entry/exit control: checkpoint audit columns, assigned operators, passages, this subgraph's copy
 * of the unit list and its idempotency keys.
 */
export class CheckpointControl1764806400000 implements MigrationInterface {
  name = 'CheckpointControl1764806400000';

  async up(q: QueryRunner): Promise<void> {
    await createAdminUnitTables(q);
    await createIdempotencyTable(q);

    // Rows from before this migration were created by nobody in particular.
    await q.query(`
      ALTER TABLE checkpoint
        ADD COLUMN created_by text NOT NULL DEFAULT 'system:migration',
        ADD COLUMN created_at timestamptz NOT NULL DEFAULT now(),
        ADD COLUMN updated_by text,
        ADD COLUMN updated_at timestamptz,
        ADD COLUMN closed_by text,
        ADD COLUMN closed_at timestamptz,
        ADD COLUMN close_reason text`);
    await q.query(`ALTER TABLE checkpoint ALTER COLUMN created_by DROP DEFAULT`);
    // checkpoints(unitCode, status) at each level, and Organisation.checkpoints, page by (name, id).
    await q.query(`CREATE INDEX ix_checkpoint_province_status ON checkpoint (province_code, status, name, id)`);
    await q.query(`CREATE INDEX ix_checkpoint_district_status ON checkpoint (district_code, status, name, id)`);
    await q.query(`CREATE INDEX ix_checkpoint_ward_status ON checkpoint (ward_code, status, name, id)`);
    await q.query(`CREATE INDEX ix_checkpoint_operator ON checkpoint (operator_code, name, id)`);

    await q.query(`
      CREATE TABLE checkpoint_operator (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        checkpoint_id uuid NOT NULL,
        user_id uuid NOT NULL,
        assigned_by text NOT NULL,
        assigned_at timestamptz(3) NOT NULL DEFAULT now(),
        removed_by text,
        removed_at timestamptz(3),
        CONSTRAINT pk_checkpoint_operator PRIMARY KEY (id),
        CONSTRAINT fk_checkpoint_operator_checkpoint FOREIGN KEY (checkpoint_id)
          REFERENCES checkpoint (id) ON DELETE RESTRICT ON UPDATE NO ACTION
      )`);
    await q.query(
      `CREATE UNIQUE INDEX uq_checkpoint_operator_open ON checkpoint_operator (checkpoint_id, user_id)
       WHERE removed_at IS NULL`,
    );
    await q.query(`CREATE INDEX ix_checkpoint_operator_user ON checkpoint_operator (user_id)`);

    await q.query(`
      CREATE TABLE passage (
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
        CONSTRAINT pk_passage PRIMARY KEY (id),
        CONSTRAINT fk_passage_checkpoint FOREIGN KEY (checkpoint_id)
          REFERENCES checkpoint (id) ON DELETE RESTRICT ON UPDATE NO ACTION,
        CONSTRAINT ck_passage_direction CHECK (direction IN ('IN', 'OUT')),
        CONSTRAINT ck_passage_credential_type CHECK (credential_type IN ('PERSONAL_QR', 'PRINTED_QR',
          'HEALTH_INSURANCE_QR', 'CHIP_ID_CARD', 'MANUAL')),
        CONSTRAINT ck_passage_decision CHECK (decision IN ('ALLOWED', 'TURNED_BACK', 'REFERRED_TO_TESTING',
          'REFERRED_TO_QUARANTINE')),
        CONSTRAINT ck_passage_device CHECK ((device_id IS NULL) = (device_passage_id IS NULL))
      )`);
    // passages(checkpointId, from, to), checkpointLoad and coPresence: one checkpoint, a time range.
    await q.query(`CREATE INDEX ix_passage_checkpoint_scanned ON passage (checkpoint_id, scanned_at, id)`);
    // Citizen.passages(since) and coPresence's own passages: one person, newest first.
    await q.query(`CREATE INDEX ix_passage_citizen_scanned ON passage (citizen_ref, scanned_at)`);
    // MovementDeclaration.passages.
    await q.query(`CREATE INDEX ix_passage_movement ON passage (movement_declaration_id)`);
    // Offline sync: a retried batch finds what it already stored (and ON CONFLICT relies on it).
    await q.query(`CREATE UNIQUE INDEX uq_passage_device ON passage (device_id, device_passage_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE passage`);
    await q.query(`DROP TABLE checkpoint_operator`);
    await q.query(`DROP INDEX ix_checkpoint_operator`);
    await q.query(`DROP INDEX ix_checkpoint_ward_status`);
    await q.query(`DROP INDEX ix_checkpoint_district_status`);
    await q.query(`DROP INDEX ix_checkpoint_province_status`);
    await q.query(`
      ALTER TABLE checkpoint
        DROP COLUMN close_reason,
        DROP COLUMN closed_at,
        DROP COLUMN closed_by,
        DROP COLUMN updated_at,
        DROP COLUMN updated_by,
        DROP COLUMN created_at,
        DROP COLUMN created_by`);
    await dropIdempotencyTable(q);
    await dropAdminUnitTables(q);
  }
}
