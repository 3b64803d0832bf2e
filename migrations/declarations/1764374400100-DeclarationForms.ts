import type { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * The full declaration form: the citizen's identity document, identity snapshots, versioned
 * declarations with their health answers, and monitoring periods. Existing declarations are kept:
 * each gets a snapshot holding its name, version 1, and empty answers. Values are spelled out here
 * (not imported) so this migration never changes once released.
 */

const SYMPTOMS = `'FEVER', 'COUGH', 'SHORTNESS_OF_BREATH', 'SORE_THROAT', 'FATIGUE', 'VOMITING', 'DIARRHOEA',
  'SKIN_HAEMORRHAGE', 'RASH', 'LOSS_OF_TASTE_OR_SMELL', 'MUSCLE_ACHE', 'HEADACHE'`;

const EMPTY_ANSWERS = JSON.stringify({
  symptomOnset: null,
  temperatureCelsius: null,
  exposures: [],
  travelHistory: [],
  vaccination: null,
  latestTest: null,
});

export class DeclarationForms1764374400100 implements MigrationInterface {
  name = 'DeclarationForms1764374400100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE citizen
        ADD COLUMN document_type text,
        ADD COLUMN document_number text,
        ADD COLUMN document_country text,
        ADD CONSTRAINT ck_citizen_document_type
          CHECK (document_type IS NULL OR document_type IN ('CCCD', 'CMND', 'PASSPORT')),
        ADD CONSTRAINT ck_citizen_document CHECK (
          (document_type IS NULL) = (document_number IS NULL) AND (document_type IS NULL) = (document_country IS NULL))`);

    await q.query(`
      CREATE TABLE identity_snapshot (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        citizen_ref text NOT NULL,
        declared_at timestamptz(3) NOT NULL,
        full_name text NOT NULL,
        year_of_birth smallint,
        sex text,
        nationality text,
        phone text,
        email text,
        address_province_code text,
        address_district_code text,
        address_ward_code text,
        address_detail text,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT pk_identity_snapshot PRIMARY KEY (id),
        CONSTRAINT fk_identity_snapshot_citizen FOREIGN KEY (citizen_ref) REFERENCES citizen (ref),
        CONSTRAINT ck_identity_snapshot_sex CHECK (sex IS NULL OR sex IN ('MALE', 'FEMALE', 'OTHER'))
      )`);
    // Citizen.identity: a person's latest snapshot.
    await q.query(
      `CREATE INDEX ix_identity_snapshot_citizen_declared ON identity_snapshot (citizen_ref, declared_at DESC)`,
    );

    // Names move from declarations to snapshots (one per existing declaration, same id).
    await q.query(`
      INSERT INTO identity_snapshot (id, citizen_ref, declared_at, full_name, created_at)
      SELECT id, citizen_ref, submitted_at, full_name, submitted_at FROM health_declaration`);
    await q.query(`ALTER TABLE health_declaration ADD COLUMN identity_snapshot_id uuid`);
    await q.query(`UPDATE health_declaration SET identity_snapshot_id = id`);
    await q.query(`
      ALTER TABLE health_declaration
        ALTER COLUMN identity_snapshot_id SET NOT NULL,
        DROP COLUMN full_name,
        ADD CONSTRAINT fk_health_declaration_identity_snapshot
          FOREIGN KEY (identity_snapshot_id) REFERENCES identity_snapshot (id)`);

    // Defaults fill existing rows, then go: new rows always state these values.
    await q.query(`
      ALTER TABLE health_declaration
        ADD COLUMN version integer NOT NULL DEFAULT 1,
        ADD COLUMN declared_by text NOT NULL DEFAULT 'SELF',
        ADD COLUMN proxy jsonb,
        ADD COLUMN symptom_window_days smallint NOT NULL DEFAULT 14,
        ADD COLUMN symptoms text[] NOT NULL DEFAULT '{}',
        ADD COLUMN symptomatic boolean NOT NULL DEFAULT false,
        ADD COLUMN answers jsonb NOT NULL DEFAULT '${EMPTY_ANSWERS}',
        ADD COLUMN entry jsonb,
        ADD COLUMN recorded_by text NOT NULL DEFAULT 'system:migration',
        ADD COLUMN recorded_at timestamptz(3) NOT NULL DEFAULT now(),
        ADD COLUMN amendment_reason text,
        ADD COLUMN superseded_at timestamptz(3)`);
    await q.query(`UPDATE health_declaration SET recorded_at = submitted_at`);
    await q.query(`
      ALTER TABLE health_declaration
        ALTER COLUMN version DROP DEFAULT,
        ALTER COLUMN declared_by DROP DEFAULT,
        ALTER COLUMN symptom_window_days DROP DEFAULT,
        ALTER COLUMN symptoms DROP DEFAULT,
        ALTER COLUMN symptomatic DROP DEFAULT,
        ALTER COLUMN answers DROP DEFAULT,
        ALTER COLUMN recorded_by DROP DEFAULT,
        DROP CONSTRAINT pk_health_declaration,
        ADD CONSTRAINT pk_health_declaration PRIMARY KEY (id, version),
        ADD CONSTRAINT ck_health_declaration_declared_by CHECK (declared_by IN ('SELF', 'PROXY')),
        ADD CONSTRAINT ck_health_declaration_proxy CHECK ((declared_by = 'PROXY') = (proxy IS NOT NULL)),
        ADD CONSTRAINT ck_health_declaration_symptoms CHECK (symptoms <@ ARRAY[${SYMPTOMS}]::text[]),
        ADD CONSTRAINT ck_health_declaration_symptomatic CHECK (symptomatic = (cardinality(symptoms) > 0)),
        ADD CONSTRAINT ck_health_declaration_window CHECK (symptom_window_days BETWEEN 1 AND 21),
        ADD CONSTRAINT ck_health_declaration_version
          CHECK (version >= 1 AND (version = 1) = (amendment_reason IS NULL))`);

    // At most one current version per declaration; declaration(id) reads through it.
    await q.query(
      `CREATE UNIQUE INDEX uq_health_declaration_current ON health_declaration (id) WHERE superseded_at IS NULL`,
    );
    // Lists and stats by unit and time, narrowed by kind; district and ward filters.
    await q.query(`
      CREATE INDEX ix_health_declaration_province_kind_submitted
        ON health_declaration (province_code, kind, submitted_at DESC)`);
    await q.query(
      `CREATE INDEX ix_health_declaration_district_submitted ON health_declaration (district_code, submitted_at DESC)`,
    );
    await q.query(
      `CREATE INDEX ix_health_declaration_ward_submitted ON health_declaration (ward_code, submitted_at DESC)`,
    );
    // The symptomatic filter: a small fraction of the rows, so a partial index.
    await q.query(`
      CREATE INDEX ix_health_declaration_symptomatic ON health_declaration (province_code, submitted_at DESC)
        WHERE symptomatic AND superseded_at IS NULL`);
    await q.query(`CREATE INDEX ix_health_declaration_identity_snapshot ON health_declaration (identity_snapshot_id)`);

    await q.query(`
      CREATE TABLE monitoring_period (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        citizen_ref text NOT NULL,
        province_code text NOT NULL,
        district_code text,
        ward_code text,
        starts_on date NOT NULL,
        ends_on date NOT NULL,
        reason text NOT NULL,
        source_declaration_id uuid,
        created_by text NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT pk_monitoring_period PRIMARY KEY (id),
        CONSTRAINT fk_monitoring_period_citizen FOREIGN KEY (citizen_ref) REFERENCES citizen (ref),
        CONSTRAINT ck_monitoring_period_days CHECK (ends_on >= starts_on)
      )`);
    // A person's periods; the periods of a unit still running on a day (missedDailyMonitoring).
    await q.query(`CREATE INDEX ix_monitoring_period_citizen_starts ON monitoring_period (citizen_ref, starts_on)`);
    await q.query(`CREATE INDEX ix_monitoring_period_province_ends ON monitoring_period (province_code, ends_on)`);
    await q.query(`CREATE INDEX ix_monitoring_period_district_ends ON monitoring_period (district_code, ends_on)`);
    await q.query(`CREATE INDEX ix_monitoring_period_ward_ends ON monitoring_period (ward_code, ends_on)`);
    await q.query(
      `CREATE UNIQUE INDEX uq_monitoring_period_source_declaration ON monitoring_period (source_declaration_id)`,
    );
  }

  /** Reverting keeps each declaration's current version only (older versions cannot fit the old key). */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE monitoring_period`);
    await q.query(`DROP INDEX ix_health_declaration_identity_snapshot`);
    await q.query(`DROP INDEX ix_health_declaration_symptomatic`);
    await q.query(`DROP INDEX ix_health_declaration_ward_submitted`);
    await q.query(`DROP INDEX ix_health_declaration_district_submitted`);
    await q.query(`DROP INDEX ix_health_declaration_province_kind_submitted`);
    await q.query(`DROP INDEX uq_health_declaration_current`);
    await q.query(`DELETE FROM health_declaration WHERE superseded_at IS NOT NULL`);
    await q.query(`
      ALTER TABLE health_declaration
        DROP CONSTRAINT pk_health_declaration,
        ADD CONSTRAINT pk_health_declaration PRIMARY KEY (id),
        DROP COLUMN version,
        DROP COLUMN declared_by,
        DROP COLUMN proxy,
        DROP COLUMN symptom_window_days,
        DROP COLUMN symptoms,
        DROP COLUMN symptomatic,
        DROP COLUMN answers,
        DROP COLUMN entry,
        DROP COLUMN recorded_by,
        DROP COLUMN recorded_at,
        DROP COLUMN amendment_reason,
        DROP COLUMN superseded_at,
        ADD COLUMN full_name text`);
    await q.query(`
      UPDATE health_declaration d SET full_name = s.full_name
      FROM identity_snapshot s WHERE s.id = d.identity_snapshot_id`);
    await q.query(`
      ALTER TABLE health_declaration
        ALTER COLUMN full_name SET NOT NULL,
        DROP COLUMN identity_snapshot_id`);
    await q.query(`DROP TABLE identity_snapshot`);
    await q.query(`
      ALTER TABLE citizen
        DROP CONSTRAINT ck_citizen_document,
        DROP CONSTRAINT ck_citizen_document_type,
        DROP COLUMN document_country,
        DROP COLUMN document_number,
        DROP COLUMN document_type`);
  }
}
