import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Movement declarations: a declared domestic journey of a citizen (by pseudonym). */
export class Init1732700000000 implements MigrationInterface {
  name = 'Init1732700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE movement_declaration (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        citizen_ref text NOT NULL,
        mode text NOT NULL,
        conveyance_id text,
        depart_at timestamptz(3) NOT NULL,
        arrive_at timestamptz(3),
        origin_province_code text NOT NULL,
        origin_district_code text,
        origin_ward_code text,
        destination_province_code text NOT NULL,
        destination_district_code text,
        destination_ward_code text,
        status text NOT NULL DEFAULT 'DECLARED',
        CONSTRAINT pk_movement_declaration PRIMARY KEY (id),
        CONSTRAINT ck_movement_declaration_mode
          CHECK (mode IN ('PLANE', 'TRAIN', 'COACH', 'SHIP', 'CAR', 'MOTORBIKE', 'OTHER')),
        CONSTRAINT ck_movement_declaration_status
          CHECK (status IN ('DECLARED', 'APPROVED', 'REJECTED', 'CANCELLED', 'EXPIRED')),
        CONSTRAINT ck_movement_declaration_times CHECK (arrive_at IS NULL OR arrive_at >= depart_at)
      )`);
    // A citizen's journeys, newest first (Citizen.movements, the timeline).
    await q.query(
      `CREATE INDEX ix_movement_declaration_citizen_depart ON movement_declaration (citizen_ref, depart_at DESC)`,
    );
    // Arrivals into a province over a period (jurisdiction lists, checkpoint planning).
    await q.query(
      `CREATE INDEX ix_movement_declaration_destination_depart ON movement_declaration (destination_province_code, depart_at)`,
    );
    // Everyone on one flight, train or vehicle around a date (contact tracing).
    await q.query(
      `CREATE INDEX ix_movement_declaration_conveyance_depart ON movement_declaration (conveyance_id, depart_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE movement_declaration`);
  }
}
