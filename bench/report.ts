import { readFileSync } from 'node:fs';
import { processTree } from '../scripts/process-tree';
import type { LoadResult } from './load';

/** Linux clock ticks per second for /proc/<pid>/stat times (USER_HZ; 100 on every mainstream kernel). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system) of a process tree, in milliseconds: the live processes' own time, plus
 * the time of children that have ended and been waited for (PostgreSQL backends that closed).
 */
export function cpuMs(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    try {
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8');
      const rest = fields.slice(fields.lastIndexOf(')') + 2).split(' ');
      // utime, stime, cutime, cstime (fields 14 to 17)
      ticks += Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14]);
    } catch {
      // ended
    }
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** Peak resident memory (VmHWM) of a process tree, in MB. */
export function peakRssMb(pid: number): number {
  let kb = 0;
  for (const p of processTree(pid)) {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      kb += m ? Number(m[1]) : 0;
    } catch {
      // ended
    }
  }
  return kb / 1024;
}

export interface Row {
  scenario: string;
  target: string;
  load: LoadResult;
  cpuMsPerRequest: number | null;
  /** CPU of the five subgraph processes, per request. */
  subgraphCpuMsPerRequest: number;
  /** CPU of PostgreSQL (postmaster and backends), per request. */
  postgresCpuMsPerRequest: number;
  peakRssMb: number | null;
  statementsPerRequest: number;
  /** GraphQL requests the subgraphs answered, per request (their /metrics). */
  subgraphCallsPerRequest: number;
}

const fmt = (v: number | null, digits = 1) => (v === null || !Number.isFinite(v) ? '-' : v.toFixed(digits));

export function table(rows: Row[]): string {
  const head = [
    'scenario',
    'target',
    'req/s',
    'p50 ms',
    'p99 ms',
    'non-2xx',
    'errors',
    'CPU ms/req',
    'subgraphs ms/req',
    'PG ms/req',
    'peak RSS MB',
    'SQL/req',
    'calls/req',
  ];
  const body = rows.map((r) => [
    r.scenario,
    r.target,
    fmt(r.load.requestsPerSecond),
    fmt(r.load.p50, 0),
    fmt(r.load.p99, 0),
    String(r.load.non2xx),
    String(r.load.errors),
    fmt(r.cpuMsPerRequest, 2),
    fmt(r.subgraphCpuMsPerRequest, 2),
    fmt(r.postgresCpuMsPerRequest, 2),
    fmt(r.peakRssMb, 0),
    fmt(r.statementsPerRequest, 1),
    fmt(r.subgraphCallsPerRequest, 1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const render = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  return [render(head), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...body.map(render)].join('\n');
}
