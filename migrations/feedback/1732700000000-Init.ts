import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Citizen feedback: reports and requests with a locality, a status and an assignee organisation. */
export class Init1732700000000 implements MigrationInterface {
  name = 'Init1732700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE feedback (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        channel text NOT NULL,
        category text NOT NULL,
        description text NOT NULL,
        province_code text,
        district_code text,
        ward_code text,
        reported_at timestamptz(3) NOT NULL,
        status text NOT NULL DEFAULT 'RECEIVED',
        assignee_code text,
        CONSTRAINT pk_feedback PRIMARY KEY (id),
        CONSTRAINT ck_feedback_channel CHECK (channel IN ('APP', 'HOTLINE', 'WEB', 'OTHER')),
        CONSTRAINT ck_feedback_category CHECK (category IN ('VIOLATION', 'SUSPECTED_CASE',
          'ARRIVAL_FROM_OUTBREAK_AREA', 'QUARANTINE_BREACH', 'SUPPORT_REQUEST', 'MEDICAL_ADVICE',
          'PRICE_GOUGING_OR_FRAUD', 'FALSE_INFORMATION', 'APP_PROBLEM', 'OTHER')),
        CONSTRAINT ck_feedback_status
          CHECK (status IN ('RECEIVED', 'ASSIGNED', 'IN_PROGRESS', 'RESOLVED', 'REJECTED', 'DUPLICATE'))
      )`);
    // feedbackList pages newest first by (reported_at, id) descending, with or without a filter.
    await q.query(`CREATE INDEX ix_feedback_reported ON feedback (reported_at DESC, id DESC)`);
    await q.query(`CREATE INDEX ix_feedback_status_reported ON feedback (status, reported_at DESC, id DESC)`);
    await q.query(`CREATE INDEX ix_feedback_province_reported ON feedback (province_code, reported_at DESC, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE feedback`);
  }
}
