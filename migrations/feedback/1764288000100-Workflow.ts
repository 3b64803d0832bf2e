import type { MigrationInterface, QueryRunner } from 'typeorm';

const OPEN = `status IN ('RECEIVED', 'ASSIGNED', 'IN_PROGRESS')`;

/**
 * The handling workflow: reporter and reported person, location, assignee unit, deadline,
 * resolution, duplicates, and the append-only change history. Existing rows get an anonymous
 * reporter, a deadline from their category (the table of this release, frozen here) and one
 * history row recording the status they had when history started.
 */
export class Workflow1764288000100 implements MigrationInterface {
  name = 'Workflow1764288000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE feedback
        ADD COLUMN location_address text,
        ADD COLUMN location_latitude double precision,
        ADD COLUMN location_longitude double precision,
        ADD COLUMN recorded_at timestamptz(3) NOT NULL DEFAULT now(),
        ADD COLUMN reporter_kind text NOT NULL DEFAULT 'ANONYMOUS',
        ADD COLUMN reporter_ref text,
        ADD COLUMN reporter_phone text,
        ADD COLUMN reported_ref text,
        ADD COLUMN assignee_unit_code text,
        ADD COLUMN due_at timestamptz(3),
        ADD COLUMN resolution text,
        ADD COLUMN duplicate_of uuid`);
    await q.query(`UPDATE feedback SET recorded_at = reported_at`);
    await q.query(`
      UPDATE feedback SET due_at = reported_at + make_interval(hours => CASE category
        WHEN 'SUSPECTED_CASE' THEN 4 WHEN 'QUARANTINE_BREACH' THEN 4
        WHEN 'ARRIVAL_FROM_OUTBREAK_AREA' THEN 12
        WHEN 'VIOLATION' THEN 24 WHEN 'MEDICAL_ADVICE' THEN 24
        WHEN 'SUPPORT_REQUEST' THEN 72 WHEN 'PRICE_GOUGING_OR_FRAUD' THEN 72 WHEN 'FALSE_INFORMATION' THEN 72
        ELSE 120 END)`);
    await q.query(`
      ALTER TABLE feedback
        ALTER COLUMN reporter_kind DROP DEFAULT,
        ALTER COLUMN due_at SET NOT NULL,
        ADD CONSTRAINT ck_feedback_reporter_kind CHECK (reporter_kind IN ('CITIZEN', 'PHONE', 'ANONYMOUS')),
        ADD CONSTRAINT ck_feedback_reporter CHECK (
          (reporter_kind = 'CITIZEN' AND reporter_ref IS NOT NULL AND reporter_phone IS NULL)
          OR (reporter_kind = 'PHONE' AND reporter_phone IS NOT NULL AND reporter_ref IS NULL)
          OR (reporter_kind = 'ANONYMOUS' AND reporter_ref IS NULL AND reporter_phone IS NULL)),
        ADD CONSTRAINT ck_feedback_duplicate_of
          CHECK (duplicate_of IS NULL OR (status = 'DUPLICATE' AND duplicate_of <> id)),
        ADD CONSTRAINT ck_feedback_coordinates CHECK ((location_latitude IS NULL) = (location_longitude IS NULL)),
        ADD CONSTRAINT fk_feedback_duplicate_of FOREIGN KEY (duplicate_of)
          REFERENCES feedback (id) ON DELETE RESTRICT ON UPDATE NO ACTION`);
    // Rows resolved before resolutions were kept have none: enforced for new and changed rows only.
    await q.query(`
      ALTER TABLE feedback ADD CONSTRAINT ck_feedback_resolution
        CHECK (status <> 'RESOLVED' OR resolution IS NOT NULL) NOT VALID`);

    // One index per query shape: each list filter pages by (reported_at, id) descending; overdue
    // lists read open items by due date (partial indexes: closed items are never overdue).
    await q.query(`CREATE INDEX ix_feedback_category_reported ON feedback (category, reported_at DESC, id DESC)`);
    await q.query(`CREATE INDEX ix_feedback_district_reported ON feedback (district_code, reported_at DESC, id DESC)`);
    await q.query(`CREATE INDEX ix_feedback_ward_reported ON feedback (ward_code, reported_at DESC, id DESC)`);
    await q.query(`CREATE INDEX ix_feedback_assignee_reported ON feedback (assignee_code, reported_at DESC, id DESC)`);
    await q.query(
      `CREATE INDEX ix_feedback_assignee_status_reported ON feedback (assignee_code, status, reported_at DESC, id DESC)`,
    );
    await q.query(`CREATE INDEX ix_feedback_open_due ON feedback (due_at, id) WHERE ${OPEN}`);
    await q.query(`CREATE INDEX ix_feedback_assignee_open_due ON feedback (assignee_code, due_at, id) WHERE ${OPEN}`);
    await q.query(`CREATE INDEX ix_feedback_duplicate_of ON feedback (duplicate_of)`);

    await q.query(`
      CREATE TABLE feedback_change (
        feedback_id uuid NOT NULL,
        seq integer NOT NULL,
        at timestamptz(3) NOT NULL,
        actor text NOT NULL,
        from_status text,
        to_status text NOT NULL,
        assignee_code text,
        assignee_unit_code text,
        note text,
        CONSTRAINT pk_feedback_change PRIMARY KEY (feedback_id, seq),
        CONSTRAINT ck_feedback_change_from CHECK (from_status IS NULL OR from_status IN ('RECEIVED', 'ASSIGNED',
          'IN_PROGRESS', 'RESOLVED', 'REJECTED', 'DUPLICATE')),
        CONSTRAINT ck_feedback_change_to CHECK (to_status IN ('RECEIVED', 'ASSIGNED', 'IN_PROGRESS', 'RESOLVED',
          'REJECTED', 'DUPLICATE')),
        CONSTRAINT fk_feedback_change_feedback FOREIGN KEY (feedback_id)
          REFERENCES feedback (id) ON DELETE CASCADE ON UPDATE NO ACTION
      )`);
    await q.query(`
      INSERT INTO feedback_change (feedback_id, seq, at, actor, from_status, to_status, assignee_code, note)
      SELECT id, 1, reported_at, 'system:migration', NULL, status, assignee_code, 'status when change history started'
      FROM feedback`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE feedback_change`);
    for (const ix of [
      'ix_feedback_duplicate_of',
      'ix_feedback_assignee_open_due',
      'ix_feedback_open_due',
      'ix_feedback_assignee_status_reported',
      'ix_feedback_assignee_reported',
      'ix_feedback_ward_reported',
      'ix_feedback_district_reported',
      'ix_feedback_category_reported',
    ]) {
      await q.query(`DROP INDEX ${ix}`);
    }
    await q.query(`
      ALTER TABLE feedback
        DROP CONSTRAINT fk_feedback_duplicate_of,
        DROP CONSTRAINT ck_feedback_resolution,
        DROP CONSTRAINT ck_feedback_coordinates,
        DROP CONSTRAINT ck_feedback_duplicate_of,
        DROP CONSTRAINT ck_feedback_reporter,
        DROP CONSTRAINT ck_feedback_reporter_kind,
        DROP COLUMN location_address,
        DROP COLUMN location_latitude,
        DROP COLUMN location_longitude,
        DROP COLUMN recorded_at,
        DROP COLUMN reporter_kind,
        DROP COLUMN reporter_ref,
        DROP COLUMN reporter_phone,
        DROP COLUMN reported_ref,
        DROP COLUMN assignee_unit_code,
        DROP COLUMN due_at,
        DROP COLUMN resolution,
        DROP COLUMN duplicate_of`);
  }
}
