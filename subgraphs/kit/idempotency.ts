import { createHash } from 'node:crypto';
import { Column, Entity, PrimaryColumn, type DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import { badInput, conflict } from './errors';

/**
 * Idempotency keys for writes from devices and apps (DESIGN §6): a retried write with the same key
 * and the same input returns the first result and creates nothing; the same key with another input
 * is refused (CONFLICT); two concurrent calls with one key create one record, because the second
 * INSERT … ON CONFLICT waits for the first transaction and then finds its row.
 * Keys are scoped by the caller (principal subject), so two apps cannot collide or probe each other.
 */
@Entity({ name: 'idempotency_key' })
export class IdempotencyKey {
  @PrimaryColumn({ type: 'text', name: 'scope', primaryKeyConstraintName: 'pk_idempotency_key' })
  scope: string;

  @PrimaryColumn({ type: 'text', name: 'key', primaryKeyConstraintName: 'pk_idempotency_key' })
  key: string;

  @Column({ type: 'text', name: 'operation' })
  operation: string;

  /** sha256 of the canonical JSON of the input. */
  @Column({ type: 'text', name: 'request_hash' })
  requestHash: string;

  @Column({ type: 'text', name: 'result_id', nullable: true })
  resultId: string | null;

  @Column({ type: 'timestamptz', name: 'created_at', default: () => 'now()' })
  createdAt: Date;
}

/** DDL for each subgraph's migration; must stay in step with the entity (drift tests check it). */
export async function createIdempotencyTable(q: QueryRunner): Promise<void> {
  await q.query(`
    CREATE TABLE "idempotency_key" (
      "scope" text NOT NULL,
      "key" text NOT NULL,
      "operation" text NOT NULL,
      "request_hash" text NOT NULL,
      "result_id" text,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "pk_idempotency_key" PRIMARY KEY ("scope", "key")
    )`);
}

export async function dropIdempotencyTable(q: QueryRunner): Promise<void> {
  await q.query(`DROP TABLE "idempotency_key"`);
}

const KEY = /^[A-Za-z0-9._:-]{8,128}$/;

/** JSON with object keys sorted, so equal inputs hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export interface IdempotentWrite {
  /** The caller's key; null or omitted means the write is not idempotent. */
  key: string | null | undefined;
  scope: string;
  operation: string;
  input: unknown;
}

/**
 * Runs `create` (which returns the new record's id) in one transaction with the key's row, or, for a
 * key already used with the same input, returns the first result's id without running it.
 */
export async function idempotent(
  ds: DataSource,
  write: IdempotentWrite,
  create: (m: EntityManager) => Promise<string>,
): Promise<{ id: string; replayed: boolean }> {
  if (write.key === null || write.key === undefined) {
    return ds.transaction(async (m) => ({ id: await create(m), replayed: false }));
  }
  if (!KEY.test(write.key)) {
    throw badInput('idempotencyKey', 'must be 8 to 128 letters, digits or . _ : -');
  }
  const requestHash = createHash('sha256').update(write.operation).update(canonicalJson(write.input)).digest('hex');
  return ds.transaction(async (m) => {
    const inserted: unknown[] = await m.query(
      `INSERT INTO idempotency_key (scope, key, operation, request_hash) VALUES ($1, $2, $3, $4)
       ON CONFLICT (scope, key) DO NOTHING RETURNING key`,
      [write.scope, write.key, write.operation, requestHash],
    );
    if (inserted.length === 0) {
      const [existing] = (await m.query(
        `SELECT operation, request_hash AS "requestHash", result_id AS "resultId"
         FROM idempotency_key WHERE scope = $1 AND key = $2`,
        [write.scope, write.key],
      )) as { operation: string; requestHash: string; resultId: string | null }[];
      if (!existing || existing.requestHash !== requestHash || !existing.resultId) {
        throw conflict('idempotencyKey was already used with a different input', 'idempotencyKey');
      }
      return { id: existing.resultId, replayed: true };
    }
    const id = await create(m);
    await m.query(`UPDATE idempotency_key SET result_id = $3 WHERE scope = $1 AND key = $2`, [
      write.scope,
      write.key,
      id,
    ]);
    return { id, replayed: false };
  });
}
