import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { processTree } from '../scripts/process-tree';
import { ROOT } from '../subgraphs/kit/paths';

export interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** Resolves when the combined output matches, rejects if the process exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

/** Runs a TypeScript entry point the way `npm start` does (node --import tsx), from the repo root. */
export function runTs(
  entry: string,
  args: string[],
  env: Record<string, string>,
  opts: { detached?: boolean } = {},
): Proc {
  return run(process.execPath, ['--import', 'tsx', entry, ...args], env, opts);
}

/** Runs an npm script exactly as a newcomer types it (npm forwards signals to the script too). */
export function runNpm(script: string, env: Record<string, string>, opts: { detached?: boolean } = {}): Proc {
  return run('npm', ['run', '--silent', script], env, opts);
}

function run(cmd: string, args: string[], env: Record<string, string>, opts: { detached?: boolean }): Proc {
  const child = spawn(cmd, args, {
    cwd: ROOT,
    // detached: its own process group, so a test can send Ctrl-C to the group as a terminal does
    detached: opts.detached ?? false,
    env: { ...process.env, NODE_ENV: 'development', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited,
    waitFor: (pattern, timeoutMs = 120_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(pattern);
          if (m) {
            cleanup();
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${pattern}; output:\n${out.slice(-3000)}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        void exited.then((code) => {
          if (!out.match(pattern)) {
            cleanup();
            reject(new Error(`exited (${code}) before ${pattern}; output:\n${out.slice(-3000)}`));
          }
        });
        listeners.add(check);
        check();
      }),
  };
}

/** Every live descendant of a process, from /proc (Linux). */
export function descendants(pid: number): number[] {
  return processTree(pid).slice(1);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // a zombie has exited but is not yet reaped; it no longer runs
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
