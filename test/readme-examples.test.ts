import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../subgraphs/kit/paths';
import { startStack, type Stack } from './stack';

/** Every ```graphql block of the README, with the subject named on its first line (`# as <subject>`). */
const examples = [
  ...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/```graphql\n# as (\S+)[^\n]*\n([\s\S]*?)```/g),
].map((m) => ({ subject: m[1]!, query: m[2]!, title: m[0].split('\n')[1]! }));

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ demo: true });
});
afterAll(async () => {
  await stack.stop();
});

test('the README has runnable examples', () => {
  expect(examples.length).toBeGreaterThanOrEqual(5);
});

test.each(examples)('$title', async ({ subject, query }) => {
  const res = await stack.as(subject, { purpose: 'README example' }).query(query);
  expect(res.body.errors).toBeUndefined();
  const json = JSON.stringify(res.body.data);
  // real answers: nothing null or empty at the first level, and no empty page
  const roots = Object.values(res.body.data ?? {});
  expect(roots.length).toBeGreaterThan(0);
  for (const v of roots) expect(v === null || (Array.isArray(v) && v.length === 0)).toBe(false);
  expect(json).not.toContain('"edges":[]');
});
