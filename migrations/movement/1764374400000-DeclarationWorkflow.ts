import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createAdminUnitTables, dropAdminUnitTables } from '../../subgraphs/kit/admin-units/schema';
import { createIdempotencyTable, dropIdempotencyTable } from '../../subgraphs/kit/idempotency';

/**
 * The declaration workflow: companions, seat, address details, transit units, purpose, validity,
 * who declared and who decided; the status history; indexes for every query shape; this
 * subgraph's own copy of the unit list (to validate localities) and its idempotency keys.
 */
export class DeclarationWorkflow1764374400000 implements MigrationInterface {
  name = 'DeclarationWorkflow1764374400000';

  async up(q: QueryRunner): Promise<void> {
    await createAdminUnitTables(q);
    await createIdempotencyTable(q);

    await q.query(`
      ALTER TABLE movement_declaration
        ADD COLUMN companion_refs text[] NOT NULL DEFAULT '{}',
        ADD COLUMN seat text,
        ADD COLUMN origin_detail text,
        ADD COLUMN destination_detail text,
        ADD COLUMN transit_unit_codes text[] NOT NULL DEFAULT '{}',
        ADD COLUMN purpose text,
        ADD COLUMN valid_until timestamptz(3),
        ADD COLUMN declared_by text,
        ADD COLUMN declared_at timestamptz(3) NOT NULL DEFAULT now(),
        ADD COLUMN decided_by text,
        ADD COLUMN decided_at timestamptz(3),
        ADD COLUMN decision_note text`);
    // Rows declared before this migration: valid for a day after the journey, by an unknown caller.
    await q.query(`
      UPDATE movement_declaration
      SET valid_until = COALESCE(arrive_at, depart_at) + interval '1 day', declared_by = 'unknown'`);
    // The application always writes both arrays; the defaults only served the backfill.
    await q.query(`
      ALTER TABLE movement_declaration
        ALTER COLUMN companion_refs DROP DEFAULT,
        ALTER COLUMN transit_unit_codes DROP DEFAULT,
        ALTER COLUMN valid_until SET NOT NULL,
        ALTER COLUMN declared_by SET NOT NULL,
        ADD CONSTRAINT ck_movement_declaration_valid_until CHECK (valid_until >= COALESCE(arrive_at, depart_at))`);

    // A person's journeys as a companion (Citizen.movements matches declarant OR companion).
    await q.query(`CREATE INDEX ix_movement_declaration_companions ON movement_declaration USING gin (companion_refs)`);
    // Inbound and outbound lists by unit and departure time, one index per level queried.
    await q.query(
      `CREATE INDEX ix_movement_declaration_destination_district_depart ON movement_declaration (destination_district_code, depart_at) WHERE destination_district_code IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX ix_movement_declaration_destination_ward_depart ON movement_declaration (destination_ward_code, depart_at) WHERE destination_ward_code IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX ix_movement_declaration_origin_depart ON movement_declaration (origin_province_code, depart_at)`,
    );
    await q.query(
      `CREATE INDEX ix_movement_declaration_origin_district_depart ON movement_declaration (origin_district_code, depart_at) WHERE origin_district_code IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX ix_movement_declaration_origin_ward_depart ON movement_declaration (origin_ward_code, depart_at) WHERE origin_ward_code IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE movement_status_change (
        id bigserial NOT NULL,
        movement_id uuid NOT NULL,
        from_status text,
        to_status text NOT NULL,
        changed_by text NOT NULL,
        changed_at timestamptz(3) NOT NULL DEFAULT now(),
        reason text,
        CONSTRAINT pk_movement_status_change PRIMARY KEY (id),
        CONSTRAINT fk_movement_status_change_movement FOREIGN KEY (movement_id)
          REFERENCES movement_declaration (id) ON DELETE CASCADE ON UPDATE NO ACTION,
        CONSTRAINT ck_movement_status_change_from CHECK (from_status IS NULL OR from_status IN
          ('DECLARED', 'APPROVED', 'REJECTED', 'CANCELLED', 'EXPIRED')),
        CONSTRAINT ck_movement_status_change_to CHECK (to_status IN
          ('DECLARED', 'APPROVED', 'REJECTED', 'CANCELLED', 'EXPIRED'))
      )`);
    // A declaration's history in order (MovementDeclaration.statusHistory, batched by movement).
    await q.query(`CREATE INDEX ix_movement_status_change_movement ON movement_status_change (movement_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE movement_status_change`);
    for (const index of [
      'ix_movement_declaration_companions',
      'ix_movement_declaration_destination_district_depart',
      'ix_movement_declaration_destination_ward_depart',
      'ix_movement_declaration_origin_depart',
      'ix_movement_declaration_origin_district_depart',
      'ix_movement_declaration_origin_ward_depart',
    ]) {
      await q.query(`DROP INDEX ${index}`);
    }
    await q.query(`
      ALTER TABLE movement_declaration
        DROP CONSTRAINT ck_movement_declaration_valid_until,
        DROP COLUMN companion_refs,
        DROP COLUMN seat,
        DROP COLUMN origin_detail,
        DROP COLUMN destination_detail,
        DROP COLUMN transit_unit_codes,
        DROP COLUMN purpose,
        DROP COLUMN valid_until,
        DROP COLUMN declared_by,
        DROP COLUMN declared_at,
        DROP COLUMN decided_by,
        DROP COLUMN decided_at,
        DROP COLUMN decision_note`);
    await dropIdempotencyTable(q);
    await dropAdminUnitTables(q);
  }
}
