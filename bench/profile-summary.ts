/**
 * `npx tsx bench/profile-summary.ts FILE.cpuprofile [--window S] [--skip S] [--requests-per-second R] [--top N]`:
 * where a process spent its time, from a V8 CPU profile (`--cpu-prof`, e.g. through
 * BENCH_GATEWAY_NODE_ARGS; docs/PERFORMANCE.md). Takes the busiest `--window` seconds (default 15)
 * after `--skip` seconds (default 3), and prints self time by package (node_modules package, Node
 * internal module, or our source file) as a share of the busy time; with `--requests-per-second`
 * (the bench's req/s for that window) also as microseconds per request.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    window: { type: 'string', default: '15' },
    skip: { type: 'string', default: '3' },
    'requests-per-second': { type: 'string' },
    top: { type: 'string', default: '30' },
  },
});
const file = positionals[0];
if (!file) throw new Error('usage: bench/profile-summary.ts FILE.cpuprofile [--window S] [--skip S] ...');

const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const windowUs = Number(values.window) * 1e6;
const skipUs = Number(values.skip) * 1e6;

const times: number[] = [];
let t = profile.startTime;
for (const d of profile.timeDeltas) times.push((t += d));
const isIdle = (i: number) =>
  times[i]! - profile.startTime < skipUs || nodes.get(profile.samples[i]!)!.callFrame.functionName === '(idle)';

// the busiest window: most non-idle sample time within `windowUs`
let best = 0;
let bestStart = 0;
let busy = 0;
for (let i = 0, j = 0; i < times.length; i++) {
  if (!isIdle(i)) busy += profile.timeDeltas[i]!;
  while (times[i]! - times[j]! > windowUs) {
    if (!isIdle(j)) busy -= profile.timeDeltas[j]!;
    j++;
  }
  if (busy > best) [best, bestStart] = [busy, j];
}
const from = times[bestStart] ?? profile.startTime;

const packageOf = (url: string, name: string): string => {
  if (url.includes('node_modules/')) return url.replace(/.*node_modules\/((@[^/]+\/)?[^/]+).*/, '$1');
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/').slice(0, 2).join('/')}`;
  if (url === '') return name; // (garbage collector), (program), natives
  return url.replace(/^file:\/\//, '').replace(`${process.cwd()}/`, '');
};

const byPackage = new Map<string, number>();
let busyUs = 0;
for (let i = 0; i < times.length; i++) {
  if (times[i]! < from || times[i]! > from + windowUs || isIdle(i)) continue;
  const { url, functionName } = nodes.get(profile.samples[i]!)!.callFrame;
  const key = packageOf(url, functionName);
  byPackage.set(key, (byPackage.get(key) ?? 0) + profile.timeDeltas[i]!);
  busyUs += profile.timeDeltas[i]!;
}

const rps = values['requests-per-second'] ? Number(values['requests-per-second']) : undefined;
const requests = rps ? (rps * windowUs) / 1e6 : undefined;
process.stdout.write(
  `busy ${(busyUs / 1e3).toFixed(0)} ms of the busiest ${values.window} s` +
    (requests ? `: ${(busyUs / requests).toFixed(0)} µs per request at ${rps} req/s` : '') +
    '\n',
);
for (const [key, us] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
  const share = `${((100 * us) / busyUs).toFixed(1)} %`.padStart(7);
  process.stdout.write(`${share}${requests ? `${(us / requests).toFixed(1).padStart(8)} µs` : ''}  ${key}\n`);
}
