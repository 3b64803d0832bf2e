import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root, found from this file so it works from sources and from a build. */
function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'rover.yaml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root (package.json beside rover.yaml)');
    dir = up;
  }
  return dir;
}

export const ROOT = findRoot(__dirname);
export const schemaFile = (file: string): string => join(ROOT, 'schema', file);
export const localDir = (...parts: string[]): string => join(ROOT, '.local', ...parts);
