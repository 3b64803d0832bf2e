import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROLE_SCOPES } from '../subgraphs/kit/roles';
import { ROOT } from '../subgraphs/kit/paths';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

test("the README's role table equals the role-to-scope map", () => {
  const rows = new Map<string, string[]>();
  for (const m of readme.matchAll(/^\| `([a-z_]+)` +\| ((?:`[a-z:]+`(?:, )?)+) +\|$/gm)) {
    rows.set(
      m[1]!,
      [...m[2]!.matchAll(/`([a-z:]+)`/g)].map((x) => x[1]!),
    );
  }
  expect(Object.fromEntries(rows)).toEqual(
    Object.fromEntries(Object.entries(ROLE_SCOPES).map(([r, s]) => [r, [...s]])),
  );
});

test('the README names the two set-up commands', () => {
  expect(readme).toContain('npm ci && npm start');
  expect(readme).toContain('npm ci && npm test');
});
