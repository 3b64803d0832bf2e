import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The feed consumers' roles (kit/roles.ts: data_consumer, data_consumer_personal) may be granted. */
const BEFORE = `'centre_admin', 'data_protection_officer', 'health_official', 'checkpoint_officer', 'analyst',
  'hotline_operator', 'consumer_app'`;
const AFTER = `${BEFORE}, 'data_consumer', 'data_consumer_personal'`;

export class ConsumerRoles1796083200000 implements MigrationInterface {
  name = 'ConsumerRoles1796083200000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE role_grant DROP CONSTRAINT ck_role_grant_role`);
    await q.query(`ALTER TABLE role_grant ADD CONSTRAINT ck_role_grant_role CHECK (role IN (${AFTER}))`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE role_grant DROP CONSTRAINT ck_role_grant_role`);
    await q.query(`ALTER TABLE role_grant ADD CONSTRAINT ck_role_grant_role CHECK (role IN (${BEFORE}))`);
  }
}
