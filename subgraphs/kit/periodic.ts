/** A task run every `intervalMs` and on demand, never two runs at once. */
export interface PeriodicTask<T> {
  /** Runs once now, after any run in progress; rejects when this run fails. */
  runNow(): Promise<T>;
  /** No more runs; waits for the one in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `task` every `intervalMs` (0: only on demand) and on `runNow`, one run at a time. A failed run
 * is reported to `onError` (timer runs) or to the caller (`runNow`), and the next run tries again.
 */
export function startPeriodic<T>(
  task: () => Promise<T>,
  intervalMs: number,
  onError: (e: unknown) => void,
): PeriodicTask<T> {
  let running: Promise<unknown> = Promise.resolve();
  const runNow = (): Promise<T> => {
    const run = running.catch(() => undefined).then(task);
    running = run;
    return run;
  };
  const timer = intervalMs > 0 ? setInterval(() => runNow().catch(onError), intervalMs) : undefined;
  timer?.unref();
  return {
    runNow,
    stop: async () => {
      if (timer) clearInterval(timer);
      await running.catch(() => undefined);
    },
  };
}
