import type { QueryRunner } from 'typeorm';

/**
 * The DDL of the unit-list tables, for each subgraph's own migrations to call (every subgraph keeps
 * its copy of the list). Must stay in step with `entities.ts`: each subgraph's drift test checks it.
 */
export async function createAdminUnitTables(q: QueryRunner): Promise<void> {
  await q.query(`
    CREATE TABLE "unit_list_version" (
      "name" text NOT NULL,
      "effective_from" date NOT NULL,
      "source" text NOT NULL,
      "checksum" text NOT NULL,
      "unit_count" integer NOT NULL,
      "imported_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "pk_unit_list_version" PRIMARY KEY ("name")
    )`);
  await q.query(`
    CREATE TABLE "administrative_unit" (
      "list_version" text NOT NULL,
      "code" text NOT NULL,
      "name" text NOT NULL,
      "type" text NOT NULL,
      "level" smallint NOT NULL,
      "parent_code" text,
      CONSTRAINT "pk_administrative_unit" PRIMARY KEY ("list_version", "code"),
      CONSTRAINT "ck_administrative_unit_level" CHECK (level BETWEEN 1 AND 3),
      CONSTRAINT "fk_administrative_unit_list_version" FOREIGN KEY ("list_version")
        REFERENCES "unit_list_version" ("name") ON DELETE CASCADE ON UPDATE NO ACTION
    )`);
  await q.query(`CREATE INDEX "ix_administrative_unit_code" ON "administrative_unit" ("code")`);
  await q.query(
    `CREATE INDEX "ix_administrative_unit_version_parent" ON "administrative_unit" ("list_version", "parent_code")`,
  );
}

export async function dropAdminUnitTables(q: QueryRunner): Promise<void> {
  await q.query(`DROP TABLE "administrative_unit"`);
  await q.query(`DROP TABLE "unit_list_version"`);
}
