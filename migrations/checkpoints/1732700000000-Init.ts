import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Checkpoints and controlled venues. */
export class Init1732700000000 implements MigrationInterface {
  name = 'Init1732700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE checkpoint (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name text NOT NULL,
        kind text NOT NULL,
        province_code text NOT NULL,
        district_code text,
        ward_code text,
        latitude double precision,
        longitude double precision,
        operator_code text,
        scan_mode text NOT NULL,
        active_from timestamptz(3) NOT NULL,
        active_to timestamptz(3),
        status text NOT NULL DEFAULT 'ACTIVE',
        CONSTRAINT pk_checkpoint PRIMARY KEY (id),
        CONSTRAINT ck_checkpoint_kind CHECK (kind IN ('PROVINCIAL_GATEWAY', 'URBAN_CHECKPOINT', 'AIRPORT',
          'LAND_BORDER_GATE', 'SEAPORT', 'VENUE', 'HOSPITAL', 'MARKET', 'PUBLIC_TRANSPORT')),
        CONSTRAINT ck_checkpoint_scan_mode
          CHECK (scan_mode IN ('PERSON_SCANS_CODE', 'OPERATOR_SCANS_PERSON', 'CAMERA')),
        CONSTRAINT ck_checkpoint_status CHECK (status IN ('ACTIVE', 'SUSPENDED', 'CLOSED')),
        CONSTRAINT ck_checkpoint_active_period CHECK (active_to IS NULL OR active_to > active_from),
        CONSTRAINT ck_checkpoint_position
          CHECK ((latitude BETWEEN -90 AND 90) AND (longitude BETWEEN -180 AND 180))
      )`);
    // checkpoints pages by (name, id), nationally or within a province.
    await q.query(`CREATE INDEX ix_checkpoint_name ON checkpoint (name, id)`);
    await q.query(`CREATE INDEX ix_checkpoint_province_name ON checkpoint (province_code, name, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE checkpoint`);
  }
}
