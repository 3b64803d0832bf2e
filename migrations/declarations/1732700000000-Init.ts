import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Citizens (by pseudonym) and their health declarations. */
export class Init1732700000000 implements MigrationInterface {
  name = 'Init1732700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE citizen (
        ref text NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT pk_citizen PRIMARY KEY (ref)
      )`);
    await q.query(`
      CREATE TABLE health_declaration (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        citizen_ref text NOT NULL,
        kind text NOT NULL,
        questionnaire_version text NOT NULL,
        channel text NOT NULL,
        submitted_at timestamptz(3) NOT NULL,
        province_code text,
        district_code text,
        ward_code text,
        full_name text NOT NULL,
        CONSTRAINT pk_health_declaration PRIMARY KEY (id),
        CONSTRAINT fk_health_declaration_citizen FOREIGN KEY (citizen_ref) REFERENCES citizen (ref),
        CONSTRAINT ck_health_declaration_kind
          CHECK (kind IN ('ENTRY', 'UNIVERSAL', 'DOMESTIC_TRAVEL', 'DAILY_MONITORING'))
      )`);
    // A citizen's declarations newest first (Citizen.declarations, the timeline).
    await q.query(
      `CREATE INDEX ix_health_declaration_citizen_submitted ON health_declaration (citizen_ref, submitted_at DESC)`,
    );
    // A province's recent declarations (jurisdiction-scoped lists and stats).
    await q.query(
      `CREATE INDEX ix_health_declaration_province_submitted ON health_declaration (province_code, submitted_at DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE health_declaration`);
    await q.query(`DROP TABLE citizen`);
  }
}
