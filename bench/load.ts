import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { bodyMaker, COPY_COLUMNS, copyLines, type IngestSpec, type LoadSpec } from './scenarios';

/**
 * One load run, in its own process (so the load generator never shares a CPU budget or event loop
 * with what it measures): autocannon against one URL on loopback, a warm-up, then the measured window.
 * A `copy` spec instead writes the ingest passages with PostgreSQL `COPY` into the checkpoints
 * database (`url`), one COPY of `size` rows per "request" on each of `connections` connections.
 * Prints `MEASURE_START` when the window opens and `RESULT <json>` at the end.
 *   tsx bench/load.ts <spec.json>
 */
export interface LoadResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** 2xx answers whose body carries GraphQL `errors`, plus connection errors and time-outs. */
  errors: number;
}

/**
 * A 2xx answer that is not what the scenario meant to do: GraphQL `errors`, or an ingest batch that
 * did not store every passage (a repeated batch would be answered as duplicates, at a lower cost).
 */
function failed(spec: LoadSpec, body: string): boolean {
  if (body.includes('"errors"')) return true;
  return spec.body.kind === 'batch' && !(/"duplicates":0\b/.test(body) && /"rejected":0\b/.test(body));
}

function run(
  spec: LoadSpec,
  next: () => string,
  seconds: number,
  onErrorBody: (body: string) => void,
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...spec.headers },
        connections: spec.connections,
        duration: seconds,
        timeout: 30,
        requests: [
          {
            setupRequest: (req) => ({ ...req, body: next() }),
            onResponse: (status, body) => {
              if (status >= 200 && status < 300 && failed(spec, body)) onErrorBody(body);
            },
          },
        ],
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    void instance;
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0;

/** `COPY passage … FROM STDIN` of one batch per turn on each connection, for the warm-up and the window. */
async function runCopy(spec: LoadSpec & { body: IngestSpec }): Promise<LoadResult> {
  const clients = await Promise.all(
    Array.from({ length: spec.connections }, async () => {
      const c = new Client({ connectionString: spec.url });
      await c.connect();
      return c;
    }),
  );
  let batch = 0;
  let measuring = false;
  let latencies: number[] = [];
  const copyOnce = async (c: Client) => {
    const lines = copyLines(spec.body, batch++);
    const t0 = performance.now();
    const stream = c.query(copyFrom(`COPY passage (${COPY_COLUMNS}) FROM STDIN`));
    await new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', reject);
      stream.end(lines);
    });
    if (measuring) latencies.push(performance.now() - t0);
  };
  const loop = async (c: Client, until: number) => {
    while (performance.now() < until) await copyOnce(c);
  };
  try {
    const warmEnd = performance.now() + spec.warmupSeconds * 1000;
    await Promise.all(clients.map((c) => loop(c, warmEnd)));
    process.stdout.write('MEASURE_START\n');
    measuring = true;
    latencies = [];
    const started = performance.now();
    await Promise.all(clients.map((c) => loop(c, started + spec.measureSeconds * 1000)));
    const seconds = (performance.now() - started) / 1000;
    const sorted = latencies.sort((a, b) => a - b);
    return {
      requests: sorted.length,
      seconds,
      requestsPerSecond: sorted.length / seconds,
      p50: Math.round(percentile(sorted, 50)),
      p99: Math.round(percentile(sorted, 99)),
      non2xx: 0,
      errors: 0,
    };
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

async function main(): Promise<void> {
  const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadSpec;
  if (spec.body.kind === 'copy') {
    const result = await runCopy(spec as LoadSpec & { body: IngestSpec });
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
    return;
  }
  let errorBodies = 0;
  const onErrorBody = (body: string) => {
    // the first one goes to stderr, so a broken scenario says why (synthetic data only)
    if (errorBodies++ === 0) process.stderr.write(`load: first error body: ${body.slice(0, 600)}\n`);
  };
  // one maker for warm-up and window: the window goes on from the warm-up's last body (an ingest
  // batch or a new person is never sent twice)
  const next = bodyMaker(spec.body);
  if (spec.warmupSeconds > 0) await run(spec, next, spec.warmupSeconds, () => undefined);
  process.stdout.write('MEASURE_START\n');
  const r = await run(spec, next, spec.measureSeconds, onErrorBody);
  const requests = r.requests.total;
  const result: LoadResult = {
    requests,
    seconds: r.duration,
    requestsPerSecond: requests / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: errorBodies + r.errors + r.timeouts,
  };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

void main().catch((e: unknown) => {
  process.stderr.write(`load: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
