import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { PrincipalResolver } from '../../gateway/principals';
import type { DeliveryPolicy } from '../../delivery/config';
import { GraphFeedRelay, type DeliveredEvent } from '../../delivery/relay';
import { createSubgraphSelector, type SubgraphSelector } from '../../delivery/selection';
import { DeliveryWorker } from '../../delivery/worker';
import { silentLogger } from '../../subgraphs/kit/logger';
import { SUBGRAPHS, type SubgraphName } from '../../subgraphs/kit/module';
import { schemaFile } from '../../subgraphs/kit/paths';
import { encryptSecret, generateSigningSecret, parseSecretKeyRing } from '../../subgraphs/kit/secrets';
import { parseWebhookAllowList } from '../../subgraphs/kit/ssrf';
import {
  DELIVERY_HEADER,
  SIGNATURE_HEADER,
  verifyWebhookSignature,
  type WebhookVerification,
} from '../../subgraphs/kit/webhook-signature';
import type { Stack } from '../stack';

/** The secrets key ring of the delivery tests (the worker gets it as SECRETS_KEY). */
export const TEST_SECRETS_KEY = `t1:${Buffer.alloc(32, 9).toString('base64')}`;
export const TEST_RING = parseSecretKeyRing(TEST_SECRETS_KEY);
/** Test receivers listen on loopback: the operator's allow-list lets the SSRF check through to them. */
export const TEST_ALLOWED_TARGETS = '127.0.0.1/32';

/** What a test receiver answers to its n-th request (1-based): a status, or hold it open. */
export type Behaviour = (n: number) => number | 'hold';

interface Received {
  delivery: string | undefined;
  verification: WebhookVerification;
  events: DeliveredEvent[];
  status: number | 'hold';
}

/**
 * A webhook receiver as a consumer would write one: verifies the signature over the raw body,
 * answers per its behaviour, and de-duplicates accepted events by id. Listens on 127.0.0.1 port 0.
 */
export class Receiver {
  readonly requests: Received[] = [];
  /** Events answered 2xx, by event id (duplicates collapse: the receiver de-duplicates). */
  readonly accepted = new Map<string, DeliveredEvent>();
  /** Every event id seen, counted (a redelivered event counts more than once). */
  readonly seen = new Map<string, number>();
  private readonly held: ServerResponse[] = [];
  private readonly waiters: (() => void)[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly secret: string,
    public behaviour: Behaviour,
  ) {}

  static async start(behaviour: Behaviour = () => 200): Promise<Receiver> {
    const secret = generateSigningSecret();
    const ref: { self?: Receiver } = {};
    const server = createServer((req, res) => void ref.self!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    ref.self = new Receiver(server, `http://127.0.0.1:${port}/hooks/epidemic`, secret, behaviour);
    return ref.self;
  }

  /** Requests open right now (held, not yet answered). */
  get holding(): number {
    return this.held.filter((r) => !r.writableEnded && !r.destroyed).length;
  }

  /** Resolves when `predicate` holds, checked after every request (bounded by `timeoutMs`). */
  waitFor(predicate: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate()) return false;
        clearTimeout(timer);
        resolve();
        return true;
      };
      const timer = setTimeout(() => reject(new Error(`receiver: timed out waiting for ${what}`)), timeoutMs);
      if (check()) return;
      const loop = () => {
        if (!check()) this.waiters.push(loop);
      };
      this.waiters.push(loop);
    });
  }

  /** Answers every held request with `status`. */
  release(status: number): void {
    for (const res of this.held.splice(0)) if (!res.writableEnded && !res.destroyed) res.writeHead(status).end();
  }

  async close(): Promise<void> {
    for (const res of this.held.splice(0)) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const verification = verifyWebhookSignature(raw, req.headers[SIGNATURE_HEADER.toLowerCase()] as string, [
      this.secret,
    ]);
    const body = JSON.parse(raw.toString('utf8')) as { events: DeliveredEvent[] };
    const answer = verification.valid ? this.behaviour(this.requests.length + 1) : 401;
    this.requests.push({
      delivery: req.headers[DELIVERY_HEADER.toLowerCase()] as string | undefined,
      verification,
      events: body.events,
      status: answer,
    });
    for (const e of body.events) this.seen.set(e.id, (this.seen.get(e.id) ?? 0) + 1);
    if (answer === 'hold') {
      this.held.push(res);
    } else {
      if (answer >= 200 && answer < 300) for (const e of body.events) this.accepted.set(e.id, e);
      res.writeHead(answer).end();
    }
    for (const w of this.waiters.splice(0)) w();
  }
}

export interface ConsumerSpec {
  role: string;
  /** Jurisdiction of the grant; null = national. */
  unitCode: string | null;
  entityTypes: string[];
  receiver: Receiver;
}

/**
 * Registers a change consumer the way the organisations subgraph stores one: a service user, its
 * role grant, and the consumer row with the receiver's URL and its secret encrypted under the
 * test ring (bound to the consumer id). Returns the consumer id.
 */
export async function createConsumer(stack: Stack, spec: ConsumerSpec): Promise<string> {
  const db = stack.db.organisations;
  const subject = `test-consumer-${randomBytes(4).toString('hex')}`;
  const [user] = (await db.query(
    `INSERT INTO app_user (subject, kind, display_name, created_by) VALUES ($1, 'service', $1, 'test') RETURNING id`,
    [subject],
  )) as { id: string }[];
  await db.query(
    `INSERT INTO role_grant (user_id, role, jurisdiction_code, include_descendants, valid_from, granted_by)
     VALUES ($1, $2, $3, true, now() - interval '1 day', 'test')`,
    [user!.id, spec.role, spec.unitCode],
  );
  const id = randomUUID();
  await db.query(
    `INSERT INTO change_consumer (id, user_id, name, entity_types, webhook_url, secret_ciphertext, secret_created_at,
                                  created_by)
     VALUES ($1, $2, $3, $4, $5, $6, now(), 'test')`,
    [id, user!.id, subject, spec.entityTypes, spec.receiver.url, encryptSecret(TEST_RING, spec.receiver.secret, id)],
  );
  return id;
}

export interface DeliveryRow {
  feed: string;
  cursor: string | null;
  state: string;
  failures: number;
  last_error: string | null;
  next_attempt_at: Date | null;
  delivered_events: string;
  oldest_pending_at: Date | null;
  last_delivered_at: Date | null;
  dead_lettered_at: Date | null;
}

export async function deliveryRows(stack: Stack, consumerId: string): Promise<DeliveryRow[]> {
  return (await stack.db.organisations.query(
    `SELECT feed, cursor, state, failures, last_error, next_attempt_at, delivered_events::text, oldest_pending_at,
            last_delivered_at, dead_lettered_at
       FROM change_delivery WHERE consumer_id = $1 ORDER BY feed`,
    [consumerId],
  )) as DeliveryRow[];
}

/** The committed events a consumer of `unitCode` must receive from one feed (the outbox itself). */
export async function committedIds(
  stack: Stack,
  feed: SubgraphName,
  entityTypes: string[],
  unitCode: string,
): Promise<string[]> {
  const rows = (await stack.db[feed].query(
    `SELECT id FROM outbox_event WHERE entity_type = ANY ($1) AND $2 = ANY (unit_codes) ORDER BY position`,
    [entityTypes, unitCode],
  )) as { id: string }[];
  return rows.map((r) => r.id);
}

/** The organisations database as the application role (what the worker connects with). */
export function appDatabaseUrlOf(stack: Stack, name: SubgraphName = 'organisations'): string {
  const url = (stack.appDb[name].options as { url?: string }).url;
  if (!url) throw new Error('the stack database has no URL');
  return url;
}

export const TEST_POLICY: DeliveryPolicy = {
  batchSize: 20,
  concurrency: 4,
  // long: the slow-receiver test holds a batch open while the others are delivered
  requestTimeoutMs: 120_000,
  pollMs: 50,
  idleMs: 100,
  backoffBaseMs: 50,
  backoffMaxMs: 400,
  maxFailures: 4,
  leaseMs: 241_000,
  batchesPerClaim: 5,
};

function selectors(): Record<SubgraphName, SubgraphSelector> {
  const supergraph = readFileSync(schemaFile('supergraph.graphql'), 'utf8');
  return Object.fromEntries(
    SUBGRAPHS.map((n) => [n, createSubgraphSelector(readFileSync(schemaFile(`${n}.graphql`), 'utf8'), supergraph)]),
  ) as Record<SubgraphName, SubgraphSelector>;
}

/** A delivery worker in the test process, wired as delivery/main.ts wires it. */
export function startWorker(
  stack: Stack,
  policy: Partial<DeliveryPolicy> = {},
): { worker: DeliveryWorker; stop(): Promise<void> } {
  const signingKey = () => stack.keyFiles?.internalKeys.current() ?? stack.internal.signing;
  const pool = new Pool({ connectionString: appDatabaseUrlOf(stack), max: 4 });
  const worker = new DeliveryWorker({
    pool,
    relay: new GraphFeedRelay({ subgraphUrls: stack.subgraphUrls, selectors: selectors(), signingKey }),
    principals: new PrincipalResolver({
      organisationsUrl: () => stack.subgraphUrls.organisations,
      signingKey,
      cacheMs: 0,
    }),
    secrets: () => TEST_RING,
    allowList: parseWebhookAllowList(TEST_ALLOWED_TARGETS),
    policy: { ...TEST_POLICY, ...policy },
    logger: silentLogger(),
  });
  worker.start();
  return {
    worker,
    stop: async () => {
      await worker.stop(0);
      await pool.end();
    },
  };
}

/** The environment a worker process gets (as `npm start` gives it), for a stack with `keyDir`. */
export function workerEnv(stack: Stack, extra: Record<string, string> = {}): Record<string, string> {
  if (!stack.keyFiles) throw new Error('a worker process needs a stack started with keyDir');
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    DATABASE_URL: appDatabaseUrlOf(stack),
    INTERNAL_SIGNING_KEY_FILE: stack.keyFiles.internalPrivate,
    INTERNAL_JWKS_FILE: stack.keyFiles.internalJwks,
    SECRETS_KEY: TEST_SECRETS_KEY,
    WEBHOOK_ALLOWED_TARGETS: TEST_ALLOWED_TARGETS,
    PRINCIPAL_CACHE_MS: '0',
    ...extra,
  };
  for (const name of SUBGRAPHS) env[`SUBGRAPH_URL_${name.toUpperCase()}`] = stack.subgraphUrls[name];
  return env;
}

/** Polls `predicate` until it holds (a generous bound, never a fixed sleep). */
export async function eventually<T>(
  read: () => Promise<T>,
  predicate: (value: T) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (predicate(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
