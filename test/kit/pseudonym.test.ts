import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GraphQLError } from 'graphql';
import { ConfigError } from '../../subgraphs/kit/config';
import {
  addPseudonymKey,
  citizenRef,
  formatPseudonymKey,
  isCurrentRef,
  keyRing,
  loadPseudonymKeyFile,
  nextKeyVersion,
  parsePseudonymKey,
  refVersion,
  tryUpgradeRef,
  upgradeRef,
  type PseudonymKey,
} from '../../subgraphs/kit/pseudonym';
import { loadSubgraphConfig } from '../../subgraphs/kit/subgraph-config';
import { TEST_PSEUDONYM_KEY, testCitizenRef } from '../factories/citizens';

const DOC = { type: 'CCCD' as const, number: '001099000001' };
const K1 = TEST_PSEUDONYM_KEY;
const K2 = { version: 't2', secret: Buffer.alloc(32, 8) };
const K3 = { version: 't3', secret: Buffer.alloc(32, 9) };
const RING2: PseudonymKey = { ...K2, earlier: [K1] };
const RING3: PseudonymKey = { ...K3, earlier: [K1, K2] };
const b64 = (fill: number) => Buffer.alloc(32, fill).toString('base64');

function badInputOf(fn: () => unknown): GraphQLError {
  try {
    fn();
  } catch (e) {
    return e as GraphQLError;
  }
  throw new Error('expected a BAD_USER_INPUT');
}

describe('a ring of one key: the refs of before rings existed', () => {
  test('the ref is the plain HMAC-SHA256 of the normalised document, prefixed by the version', () => {
    const mac = createHmac('sha256', K1.secret).update('CCCD:001099000001').digest('base64url');
    expect(citizenRef(DOC, K1)).toBe(`t1.${mac}`);
  });

  test('the test suites’ refs are unchanged (the value computed before the ring)', () => {
    expect(testCitizenRef(1)).toBe('t1.lI0batkGmkHWNxhjMmbVvnwjA3oA4snpgqIhlNubwAY');
    expect(testCitizenRef(42)).toBe('t1.jCNTIwU1D8Mv-iPqbZU2mdEu5q6-0DgxYYnRF-PLQpk');
    expect(citizenRef(DOC, { ...K1, earlier: [] })).toBe(testCitizenRef(1));
  });

  test('a one-line key parses as before: no earlier keys', () => {
    const key = parsePseudonymKey(`v1:${b64(7)}`);
    expect(key).toEqual({ version: 'v1', secret: Buffer.alloc(32, 7), earlier: [] });
    expect(citizenRef(DOC, key)).toBe(citizenRef(DOC, { version: 'v1', secret: Buffer.alloc(32, 7) }));
  });
});

describe('a chained ring', () => {
  test('the ref under [k1, k2] is k2’s MAC of the k1 ref', () => {
    const old = citizenRef(DOC, K1);
    const mac = createHmac('sha256', K2.secret).update(old).digest('base64url');
    expect(citizenRef(DOC, RING2)).toBe(`t2.${mac}`);
  });

  test('upgrading a stored ref of any earlier version gives the ref computed from the document', () => {
    const v1 = citizenRef(DOC, K1);
    const v2 = citizenRef(DOC, RING2);
    const v3 = citizenRef(DOC, RING3);
    expect(new Set([v1, v2, v3]).size).toBe(3);
    expect(upgradeRef(v1, RING2)).toBe(v2);
    expect(upgradeRef(v1, RING3)).toBe(v3);
    expect(upgradeRef(v2, RING3)).toBe(v3);
    expect(upgradeRef(v3, RING3)).toBe(v3); // current: unchanged
    expect(refVersion(v3)).toBe('t3');
    expect(isCurrentRef(v3, RING3)).toBe(true);
    expect(isCurrentRef(v2, RING3)).toBe(false);
  });

  test('different people keep different refs, and an old key alone does not give the current ref', () => {
    const other = { type: 'CCCD' as const, number: '001099000002' };
    expect(citizenRef(other, RING2)).not.toBe(citizenRef(DOC, RING2));
    // a ring with a different newest key (the attacker's guess) computes something else
    expect(citizenRef(DOC, { version: 't2', secret: Buffer.alloc(32, 1), earlier: [K1] })).not.toBe(
      citizenRef(DOC, RING2),
    );
  });

  test('a ref of an unknown version or a malformed one is a BAD_USER_INPUT naming the field', () => {
    const newer = citizenRef(DOC, RING3);
    const unknown = badInputOf(() => upgradeRef(newer, RING2, 'ref'));
    expect(unknown.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ref' });
    expect(unknown.message).toMatch(/^ref: .*unknown key version/);
    for (const bad of ['', 'nonsense', 't1.short', `T1.${'a'.repeat(43)}`, `t1.${'a'.repeat(43)}x`]) {
      const e = badInputOf(() => upgradeRef(bad, RING2, 'input.citizenRef'));
      expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.citizenRef' });
      expect(tryUpgradeRef(bad, RING2)).toBeNull();
    }
    expect(tryUpgradeRef(newer, RING2)).toBeNull();
  });
});

describe('the key file and PSEUDONYM_KEY', () => {
  test('several keys, oldest first; blank lines and comments ignored; the last is current', () => {
    const ring = parsePseudonymKey(`# pseudonym keys\nv1:${b64(1)}\n\nv2:${b64(2)}\nv3:${b64(3)}\n`);
    expect(ring.version).toBe('v3');
    expect(keyRing(ring).map((k) => k.version)).toEqual(['v1', 'v2', 'v3']);
    expect(parsePseudonymKey(formatPseudonymKey(ring))).toEqual(ring);
    // an environment variable may separate keys by spaces or commas
    expect(parsePseudonymKey(`v1:${b64(1)},v2:${b64(2)} v3:${b64(3)}`)).toEqual(ring);
  });

  test.each([
    ['', /must be/],
    [`v1:${Buffer.alloc(16).toString('base64')}`, /at least 32 bytes/],
    [`V1:${b64(1)}`, /must be/],
    [`v1:${b64(1)}\nv1:${b64(2)}`, /version v1 appears twice/],
    [`v1:${b64(1)}\nv2:not base64!`, /must be/],
  ])('%j is refused', (raw, message) => {
    expect(() => parsePseudonymKey(raw)).toThrow(message);
  });

  test('the next version name follows the current one', () => {
    expect(nextKeyVersion(parsePseudonymKey(`v1:${b64(1)}`))).toBe('v2');
    expect(nextKeyVersion(RING3)).toBe('t4');
    expect(nextKeyVersion(parsePseudonymKey(`v9:${b64(1)}\nv10:${b64(2)}`))).toBe('v11');
    expect(nextKeyVersion(parsePseudonymKey(`key:${b64(1)}`))).toBe('key2');
    expect(nextKeyVersion(parsePseudonymKey(`abcdefgh:${b64(1)}`))).toBe('k1');
  });

  test('subgraph configuration accepts an inline ring and refuses a bad one', () => {
    const env = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' };
    const cfg = loadSubgraphConfig('movement', { ...env, PSEUDONYM_KEY: `v1:${b64(1)}\nv2:${b64(2)}` });
    expect(cfg.pseudonymKey).toEqual({ kind: 'inline', value: `v1:${b64(1)}\nv2:${b64(2)}` });
    expect(() => loadSubgraphConfig('movement', { ...env, PSEUDONYM_KEY: `v1:${b64(1)}\nv1:${b64(2)}` })).toThrow(
      ConfigError,
    );
  });

  describe('on disk', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'pseudonym-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    test('a new file holds one key; adding a key keeps the old ones, private, and upgrades their refs', async () => {
      const path = join(dir, 'keys', 'pseudonym.key');
      const first = await loadPseudonymKeyFile(path, true);
      expect(keyRing(first).map((k) => k.version)).toEqual(['v1']);
      const oldRef = citizenRef(DOC, first);

      const added = await addPseudonymKey(path);
      expect(keyRing(added).map((k) => k.version)).toEqual(['v1', 'v2']);
      expect(added.secret.length).toBe(32);
      expect(added.earlier![0]!.secret.equals(first.secret)).toBe(true);
      const reread = await loadPseudonymKeyFile(path, false);
      expect(reread).toEqual(added);
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      expect(upgradeRef(oldRef, reread)).toBe(citizenRef(DOC, reread));
      expect((await readFile(path, 'utf8')).trim().split('\n')).toHaveLength(2);

      await addPseudonymKey(path);
      expect(keyRing(await loadPseudonymKeyFile(path, false)).map((k) => k.version)).toEqual(['v1', 'v2', 'v3']);
    });

    test('a file of today’s one-line format reads as a ring of one key', async () => {
      const path = join(dir, 'pseudonym.key');
      await writeFile(path, `v1:${b64(5)}\n`);
      const key = await loadPseudonymKeyFile(path, false);
      expect(key).toEqual({ version: 'v1', secret: Buffer.alloc(32, 5), earlier: [] });
    });
  });
});
