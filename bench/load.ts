import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { bodyMaker, type LoadSpec } from './scenarios';

/**
 * One load run, in its own process (so the load generator never shares a CPU budget or event loop
 * with what it measures): autocannon against one URL on loopback, a warm-up, then the measured window.
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

function run(spec: LoadSpec, seconds: number, onErrorBody: (body: string) => void): Promise<autocannon.Result> {
  const next = bodyMaker(spec.body);
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
              if (status >= 200 && status < 300 && body.includes('"errors"')) onErrorBody(body);
            },
          },
        ],
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    void instance;
  });
}

async function main(): Promise<void> {
  const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadSpec;
  let errorBodies = 0;
  const onErrorBody = (body: string) => {
    // the first one goes to stderr, so a broken scenario says why (synthetic data only)
    if (errorBodies++ === 0) process.stderr.write(`load: first error body: ${body.slice(0, 600)}\n`);
  };
  if (spec.warmupSeconds > 0) await run(spec, spec.warmupSeconds, () => undefined);
  process.stdout.write('MEASURE_START\n');
  const r = await run(spec, spec.measureSeconds, onErrorBody);
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
