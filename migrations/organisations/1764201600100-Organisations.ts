import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Organisations, their centre memberships, users and role grants. */
export class Organisations1764201600100 implements MigrationInterface {
  name = 'Organisations1764201600100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "organisation" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "code" text NOT NULL,
        "name" text NOT NULL,
        "short_name" text,
        "kind" text NOT NULL,
        "parent_id" uuid,
        "created_by" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_organisation" PRIMARY KEY ("id"),
        CONSTRAINT "ck_organisation_kind" CHECK (kind IN ('GOVERNMENT_AGENCY', 'STATE_ENTERPRISE',
          'PRIVATE_COMPANY', 'PROVINCIAL_AUTHORITY', 'HEALTH_FACILITY', 'OTHER')),
        CONSTRAINT "fk_organisation_parent" FOREIGN KEY ("parent_id")
          REFERENCES "organisation" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION
      )`);
    await q.query(`CREATE UNIQUE INDEX "uq_organisation_code" ON "organisation" ("code")`);
    await q.query(`CREATE INDEX "ix_organisation_parent" ON "organisation" ("parent_id")`);

    await q.query(`
      CREATE TABLE "centre_membership" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "organisation_id" uuid NOT NULL,
        "role" text NOT NULL,
        "responsibility" text NOT NULL,
        "decision_reference" text NOT NULL,
        "valid_from" date NOT NULL,
        "valid_to" date,
        "created_by" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "ended_by" text,
        "ended_at" timestamptz,
        CONSTRAINT "pk_centre_membership" PRIMARY KEY ("id"),
        CONSTRAINT "ck_centre_membership_role"
          CHECK (role IN ('DIRECTOR', 'DEPUTY_DIRECTOR', 'STANDING_MEMBER', 'MEMBER', 'ADVISER')),
        CONSTRAINT "ck_centre_membership_validity" CHECK (valid_to IS NULL OR valid_to >= valid_from),
        CONSTRAINT "fk_centre_membership_organisation" FOREIGN KEY ("organisation_id")
          REFERENCES "organisation" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION
      )`);
    await q.query(`CREATE INDEX "ix_centre_membership_organisation" ON "centre_membership" ("organisation_id")`);

    await q.query(`
      CREATE TABLE "app_user" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "subject" text NOT NULL,
        "kind" text NOT NULL,
        "display_name" text NOT NULL,
        "organisation_id" uuid,
        "email" text,
        "phone" text,
        "active" boolean NOT NULL DEFAULT true,
        "created_by" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_app_user" PRIMARY KEY ("id"),
        CONSTRAINT "ck_app_user_kind" CHECK (kind IN ('user', 'service')),
        CONSTRAINT "fk_app_user_organisation" FOREIGN KEY ("organisation_id")
          REFERENCES "organisation" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION
      )`);
    await q.query(`CREATE UNIQUE INDEX "uq_app_user_subject" ON "app_user" ("subject")`);
    await q.query(`CREATE INDEX "ix_app_user_organisation" ON "app_user" ("organisation_id")`);

    await q.query(`
      CREATE TABLE "role_grant" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "user_id" uuid NOT NULL,
        "role" text NOT NULL,
        "jurisdiction_code" text,
        "include_descendants" boolean NOT NULL,
        "valid_from" timestamptz NOT NULL,
        "valid_to" timestamptz,
        "granted_by" text NOT NULL,
        "granted_at" timestamptz NOT NULL DEFAULT now(),
        "revoked_by" text,
        "revoked_at" timestamptz,
        "revoke_reason" text,
        CONSTRAINT "pk_role_grant" PRIMARY KEY ("id"),
        CONSTRAINT "ck_role_grant_role" CHECK (role IN ('centre_admin', 'data_protection_officer',
          'health_official', 'checkpoint_officer', 'analyst', 'hotline_operator', 'consumer_app')),
        CONSTRAINT "ck_role_grant_validity" CHECK (valid_to IS NULL OR valid_to > valid_from),
        CONSTRAINT "fk_role_grant_user" FOREIGN KEY ("user_id")
          REFERENCES "app_user" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION
      )`);
    await q.query(`CREATE INDEX "ix_role_grant_user" ON "role_grant" ("user_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "role_grant"`);
    await q.query(`DROP TABLE "app_user"`);
    await q.query(`DROP TABLE "centre_membership"`);
    await q.query(`DROP TABLE "organisation"`);
  }
}
