import { BENCH_SUBJECT, benchPerson, checkpointId, HUBS, INGEST_CHECKPOINT_ID } from './seed';

/** What the load process sends: one fixed set of bodies in turn, or bodies made per request. */
export type BodySpec =
  { kind: 'rotate'; bodies: string[] } | IngestSpec | { kind: 'submit'; first: number; now: number };

/**
 * Batches of passages from one device each (`recordPassagesBatch` through a gateway), or the same
 * passages written by PostgreSQL `COPY` straight into the subgraph's table (`url` is then the
 * database's, as the subgraph's own role): the machine's floor for the same rows.
 */
export interface IngestSpec {
  kind: 'batch' | 'copy';
  deviceId: string;
  refs: string[];
  size: number;
  now: number;
}

export interface LoadSpec {
  url: string;
  headers: Record<string, string>;
  connections: number;
  warmupSeconds: number;
  measureSeconds: number;
  body: BodySpec;
}

const DAY = 86_400_000;
const json = (query: string, variables: Record<string, unknown>) => JSON.stringify({ query, variables });

export const TIMELINE = `query Timeline($ref: ID!, $since: DateTime!) {
  citizen(ref: $ref) {
    ref
    identity { fullName yearOfBirth contactAddress { province { name } } }
    declarations(since: $since) { kind submittedAt province { code name } }
    movements(since: $since) {
      mode conveyanceId departAt status
      originProvince { name } destinationProvince { name }
    }
    passages(since: $since) {
      scannedAt direction decision
      checkpoint { name province { name } }
      movementDeclaration { conveyanceId }
    }
  }
}`;

export const WHO_PASSED = `query WhoPassed($checkpoint: ID!, $from: DateTime!, $to: DateTime!, $first: Int!) {
  passages(checkpointId: $checkpoint, from: $from, to: $to, first: $first) {
    edges { node { scannedAt direction decision citizen { ref identity { fullName } } } }
  }
}`;

/** One subgraph only (checkpoints): the gateway's floor overhead, and the same query sent directly. */
export const SINGLE = `query Checkpoints($unit: ID!) {
  checkpoints(unitCode: $unit, first: 20) { edges { node { id name kind status } } }
}`;

const BATCH = `mutation Batch($device: String!, $passages: [BatchPassageInput!]!) {
  recordPassagesBatch(deviceId: $device, passages: $passages) { stored duplicates rejected }
}`;

const SUBMIT = `mutation Submit($input: SubmitDeclarationInput!) { submitDeclaration(input: $input) { id } }`;

/** Bodies of the read scenarios, from the seeded data (deterministic: every gateway gets the same). */
export function readBodies(refs: string[], now: number) {
  const sample = Array.from({ length: Math.min(500, refs.length) }, (_, i) => refs[(i * 7_919) % refs.length]!);
  const since = new Date(now - 14 * DAY).toISOString();
  const windows = (first: number) =>
    Array.from({ length: 40 }, (_, i) => {
      const to = now - (i % 10) * DAY;
      return json(WHO_PASSED, {
        checkpoint: checkpointId(i % HUBS),
        from: new Date(to - 7 * DAY).toISOString(),
        to: new Date(to).toISOString(),
        first,
      });
    });
  return {
    timeline: sample.map((ref) => json(TIMELINE, { ref, since })),
    whoPassed100: windows(100),
    whoPassed10: windows(10),
    single: ['01', '79', '31', '48', '92'].map((unit) => json(SINGLE, { unit })),
  };
}

/** The passages of ingest batch `batch`: the same for every gateway and for `COPY`. */
export function ingestPassages(spec: IngestSpec, batch: number) {
  return Array.from({ length: spec.size }, (_, j) => ({
    devicePassageId: `${batch}-${j}`,
    checkpointId: INGEST_CHECKPOINT_ID,
    citizenRef: spec.refs[(batch * spec.size + j) % spec.refs.length]!,
    direction: j % 2 ? 'OUT' : 'IN',
    scannedAt: new Date(spec.now - 3_600_000 + j * 1_000).toISOString(),
    credentialType: 'PERSONAL_QR',
    decision: 'ALLOWED',
  }));
}

/** Text-format COPY lines of batch `batch` (columns `COPY_COLUMNS`), as the write path stores them (recorded by the caller's subject). */
export const COPY_COLUMNS =
  'checkpoint_id, citizen_ref, direction, scanned_at, credential_type, decision, device_id, device_passage_id, recorded_by';
export function copyLines(spec: IngestSpec, batch: number): string {
  const device = `${spec.deviceId}-${batch}`;
  return ingestPassages(spec, batch)
    .map(
      (p) =>
        `${p.checkpointId}\t${p.citizenRef}\t${p.direction}\t${p.scannedAt}\t${p.credentialType}\t${p.decision}\t` +
        `${device}\t${p.devicePassageId}\t${BENCH_SUBJECT}\n`,
    )
    .join('');
}

/** A function giving the next request body. */
export function bodyMaker(spec: BodySpec): () => string {
  let n = 0;
  switch (spec.kind) {
    case 'rotate':
      return () => spec.bodies[n++ % spec.bodies.length]!;
    case 'batch':
      return () => {
        const batch = n++;
        // each batch from its own device: one device's syncs are serialised by its lock (by design),
        // and a network syncs many devices at once, not one device's batches in parallel
        return json(BATCH, { device: `${spec.deviceId}-${batch}`, passages: ingestPassages(spec, batch) });
      };
    case 'copy':
      throw new Error('a copy spec is run by bench/load.ts over PostgreSQL, not sent as request bodies');
    case 'submit':
      return () => {
        const p = benchPerson(spec.first + n++);
        return json(SUBMIT, {
          input: {
            kind: 'UNIVERSAL',
            questionnaireVersion: '2021-08',
            channel: 'app',
            submittedAt: new Date(spec.now - 3_600_000).toISOString(),
            responsibleUnit: { provinceCode: p.province },
            identity: {
              fullName: p.fullName,
              yearOfBirth: p.yearOfBirth,
              sex: p.sex,
              nationality: 'VN',
              document: { type: 'CCCD', number: p.documentNumber },
              contactAddress: { provinceCode: p.province, detail: '1 Phố Bench' },
            },
            health: { symptoms: [] },
          },
        });
      };
  }
}
