import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createOutboxTriggers, dropOutboxTriggers, type OutboxTable } from '../../subgraphs/kit/outbox';

/** Consumers of the change feeds and the delivery worker's state (DESIGN §6). */
const TABLES: OutboxTable[] = [
  { table: 'change_consumer', entityType: 'ChangeConsumer', id: 'r.id::text', unitCodes: 'ARRAY[]::text[]' },
];

export class ChangeConsumers1795996800000 implements MigrationInterface {
  name = 'ChangeConsumers1795996800000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE change_consumer (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        name text NOT NULL,
        entity_types text[] NOT NULL,
        webhook_url text,
        secret_ciphertext text,
        secret_created_at timestamptz,
        previous_secret_ciphertext text,
        previous_secret_expires_at timestamptz,
        active boolean NOT NULL DEFAULT true,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_change_consumer PRIMARY KEY (id),
        CONSTRAINT fk_change_consumer_user FOREIGN KEY (user_id)
          REFERENCES app_user (id) ON DELETE RESTRICT ON UPDATE NO ACTION
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_change_consumer_user ON change_consumer (user_id)`);
    await q.query(`
      CREATE TABLE change_delivery (
        consumer_id uuid NOT NULL,
        feed text NOT NULL,
        cursor text,
        state text NOT NULL DEFAULT 'ACTIVE',
        failures integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        last_error text,
        last_attempt_at timestamptz,
        last_delivered_at timestamptz,
        delivered_events bigint NOT NULL DEFAULT 0,
        oldest_pending_at timestamptz,
        dead_lettered_at timestamptz,
        CONSTRAINT pk_change_delivery PRIMARY KEY (consumer_id, feed),
        CONSTRAINT ck_change_delivery_state CHECK (state IN ('ACTIVE', 'DEAD_LETTER')),
        CONSTRAINT fk_change_delivery_consumer FOREIGN KEY (consumer_id)
          REFERENCES change_consumer (id) ON DELETE CASCADE ON UPDATE NO ACTION
      )`);
    await createOutboxTriggers(q, TABLES);
  }

  public async down(q: QueryRunner): Promise<void> {
    await dropOutboxTriggers(q, TABLES);
    await q.query(`DROP TABLE change_delivery`);
    await q.query(`DROP TABLE change_consumer`);
  }
}
