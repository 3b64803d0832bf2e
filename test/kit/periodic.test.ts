import { startPeriodic } from '../../subgraphs/kit/periodic';

test('a failed run does not stop the next ones, and runs never overlap', async () => {
  let active = 0;
  let most = 0;
  let n = 0;
  const errors: unknown[] = [];
  const task = startPeriodic(
    async () => {
      active += 1;
      most = Math.max(most, active);
      await new Promise((r) => setTimeout(r, 5));
      active -= 1;
      n += 1;
      if (n === 1) throw new Error('first run fails');
      return n;
    },
    0,
    (e) => errors.push(e),
  );
  const runs = [task.runNow(), task.runNow(), task.runNow()];
  await expect(runs[0]).rejects.toThrow('first run fails');
  expect(await runs[1]).toBe(2); // the run after a failure still happens
  expect(await runs[2]).toBe(3);
  expect(most).toBe(1);
  await task.stop();
});

test('runs on its interval, reports failed timer runs, and stops', async () => {
  let n = 0;
  const errors: unknown[] = [];
  const task = startPeriodic(
    async () => {
      n += 1;
      if (n === 1) throw new Error('boom');
    },
    10,
    (e) => errors.push(e),
  );
  const deadline = Date.now() + 5_000;
  while (n < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  await task.stop();
  expect(n).toBeGreaterThanOrEqual(3);
  expect(errors).toHaveLength(1);
  const after = n;
  await new Promise((r) => setTimeout(r, 40));
  expect(n).toBe(after);
});
