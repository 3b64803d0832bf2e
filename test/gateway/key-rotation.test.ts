import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { issueToken, DEV_ISSUER_ROTATION_MIN_INTERVAL_MS } from '../../gateway/dev-issuer';
import { INTERNAL_KEY_ROTATION_MIN_INTERVAL_MS, signInternalToken } from '../../subgraphs/kit/internal-token';
import { InternalSigningKeys } from '../../gateway/internal-keys';
import { silentLogger } from '../../subgraphs/kit/logger';
import {
  generateSigningKey,
  KeyRotationTooSoonError,
  readJwksFile,
  readSigningKeyFile,
  rotateKeyFiles,
  type RotationResult,
  writeKeyFiles,
  type SigningKey,
} from '../../subgraphs/kit/keys';
import type { SubgraphName } from '../../subgraphs/kit/module';
import { testPrincipal } from '../subgraph-client';
import { startStack, type Stack } from '../stack';

/**
 * The gateway's internal key and the (development) issuer's key rotate while several clients keep
 * querying through the gateway: no request fails, the subgraphs receive tokens of the new internal
 * key, a user token of the previous issuer key keeps working, and a key dropped by the following
 * rotation is refused. Every wait is for a condition (with a generous limit), never a fixed sleep.
 */

let stack: Stack;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'epf-key-rotation-'));
  stack = await startStack({ keyDir: dir });
});
afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Three subgraphs besides the principal lookup: organisations, checkpoints, declarations. */
const QUERY = `{
  organisations { code }
  checkpoints(first: 3) { edges { node { name } } }
  declarations(filter: { unitCode: "01" }, first: 3) { edges { node { kind } } }
}`;
const SUBJECT = 'dev-health-01';
const CALLED: SubgraphName[] = ['organisations', 'checkpoints', 'declarations'];
const CLIENTS = 6;

interface Outcome {
  issuerKid: string;
  ok: boolean;
  detail: string;
}

/** Several clients looping queries, each with a fresh token from the issuer's key file as it is now. */
function startTraffic() {
  const outcomes: Outcome[] = [];
  let running = true;
  const client = async () => {
    while (running) {
      let issuerKid = '?';
      try {
        const token = await stack.token(SUBJECT);
        issuerKid = decodeProtectedHeader(token).kid ?? '?';
        const res = await stack.post({ query: QUERY }, { authorization: `Bearer ${token}` });
        const ok = res.status === 200 && !res.body.errors?.length && !!res.body.data;
        outcomes.push({ issuerKid, ok, detail: ok ? '' : `${res.status} ${JSON.stringify(res.body.errors)}` });
      } catch (e) {
        outcomes.push({ issuerKid, ok: false, detail: (e as Error).message });
      }
    }
  };
  const clients = Array.from({ length: CLIENTS }, () => client());
  return {
    outcomes,
    okWith: (kid: string) => outcomes.filter((o) => o.ok && o.issuerKid === kid).length,
    stop: async () => {
      running = false;
      await Promise.all(clients);
    },
  };
}

async function until(what: string, condition: () => boolean | Promise<boolean>, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const seen = (kid: string) => CALLED.every((name) => (stack.subgraphTokenKids[name].get(kid) ?? 0) > 0);

async function gatewayAnswer(token: string) {
  return stack.post({ query: '{ organisations { code } }' }, { authorization: `Bearer ${token}` });
}

/** Calls the organisations subgraph directly with an internal token signed by `key`. */
async function subgraphAnswer(key: SigningKey): Promise<{ status: number; code: unknown }> {
  const token = await signInternalToken(key, testPrincipal({ scopes: ['org:read'] }), 'organisations');
  const res = await fetch(stack.subgraphUrls.organisations, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ organisations { code } }' }),
  });
  const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
  return { status: res.status, code: body.errors?.[0]?.extensions?.code };
}

test('the internal and the issuer keys rotate under traffic without a failed request', async () => {
  const files = stack.keyFiles!;
  const internal1 = stack.internal.signing;
  const issuer1 = stack.issuer.signing;
  // Signed with the first issuer key before any rotation, first presented after it.
  const earlyToken = await issueToken(issuer1, SUBJECT);

  let internal2: SigningKey | undefined;
  let issuer2: SigningKey | undefined;
  const traffic = startTraffic();
  try {
    await until('traffic with the first keys', () => traffic.okWith(issuer1.kid) >= 20 && seen(internal1.kid));

    // --- first rotation, mid-traffic. Nothing is dropped yet, so the spacing rule does not apply.
    const [internalRot, issuerRot]: RotationResult[] = await Promise.all([
      rotateKeyFiles(files.internalPrivate, files.internalJwks, {
        minIntervalMs: INTERNAL_KEY_ROTATION_MIN_INTERVAL_MS,
      }),
      rotateKeyFiles(files.issuerPrivate, files.issuerJwks, { minIntervalMs: DEV_ISSUER_ROTATION_MIN_INTERVAL_MS }),
    ]);
    expect(internalRot!.previousKid).toBe(internal1.kid);
    expect(internalRot!.droppedKids).toEqual([]);
    expect(issuerRot!.previousKid).toBe(issuer1.kid);
    expect((await readJwksFile(files.internalJwks)).keys.map((k) => k.kid)).toEqual([internalRot!.kid, internal1.kid]);
    expect((await readJwksFile(files.issuerJwks)).keys.map((k) => k.kid)).toEqual([issuerRot!.kid, issuer1.kid]);
    internal2 = await readSigningKeyFile(files.internalPrivate);
    issuer2 = await readSigningKeyFile(files.issuerPrivate);
    const [i2, s2] = [internal2, issuer2];
    expect(internal2.kid).toBe(internalRot!.kid);

    await until('the gateway signs with the new internal key', () => files.internalKeys.current().kid === i2.kid);
    await until('subgraphs receive tokens of the new internal key', () => seen(i2.kid));
    await until('traffic with the new issuer key', () => traffic.okWith(s2.kid) >= 20);

    // The previous keys still verify during the overlap.
    const early = await gatewayAnswer(earlyToken);
    expect(early.status).toBe(200);
    expect(early.body.errors).toBeUndefined();
    expect(await subgraphAnswer(internal1)).toEqual({ status: 200, code: undefined });

    // --- second rotation: too soon while the first keys' tokens may still be valid…
    const internalJwksBefore = await readFile(files.internalJwks, 'utf8');
    await expect(
      rotateKeyFiles(files.internalPrivate, files.internalJwks, {
        minIntervalMs: INTERNAL_KEY_ROTATION_MIN_INTERVAL_MS,
      }),
    ).rejects.toBeInstanceOf(KeyRotationTooSoonError);
    await expect(
      rotateKeyFiles(files.issuerPrivate, files.issuerJwks, { minIntervalMs: DEV_ISSUER_ROTATION_MIN_INTERVAL_MS }),
    ).rejects.toThrow(/rotate again after/);
    expect(await readFile(files.internalJwks, 'utf8')).toBe(internalJwksBefore); // nothing changed

    // …and accepted once the spacing has passed (the clock is moved, not waited for).
    const later = (ms: number) => () => new Date(Date.now() + ms + 1_000);
    const [internalRot2, issuerRot2]: RotationResult[] = await Promise.all([
      rotateKeyFiles(files.internalPrivate, files.internalJwks, {
        minIntervalMs: INTERNAL_KEY_ROTATION_MIN_INTERVAL_MS,
        now: later(INTERNAL_KEY_ROTATION_MIN_INTERVAL_MS),
      }),
      rotateKeyFiles(files.issuerPrivate, files.issuerJwks, {
        minIntervalMs: DEV_ISSUER_ROTATION_MIN_INTERVAL_MS,
        now: later(DEV_ISSUER_ROTATION_MIN_INTERVAL_MS),
      }),
    ]);
    expect(internalRot2!.droppedKids).toEqual([internal1.kid]);
    expect(issuerRot2!.droppedKids).toEqual([issuer1.kid]);
    const internal3 = internalRot2!.kid;
    const issuer3 = issuerRot2!.kid;

    await until('the gateway signs with the third internal key', () => files.internalKeys.current().kid === internal3);
    await until('subgraphs receive tokens of the third internal key', () => seen(internal3));
    await until('traffic with the third issuer key', () => traffic.okWith(issuer3) >= 20);
  } finally {
    await traffic.stop();
  }

  const failures = traffic.outcomes.filter((o) => !o.ok);
  expect(failures).toEqual([]);
  expect(traffic.outcomes.length).toBeGreaterThan(60);

  // One request, signed after the switch, has been verified with the third internal key by every
  // subgraph it called (so each has re-read the JWKS without the first key).
  const settled = await stack.post({ query: QUERY }, { authorization: `Bearer ${await stack.token(SUBJECT)}` });
  expect(settled.status).toBe(200);
  expect(settled.body.errors).toBeUndefined();

  // The first keys were dropped by the second rotation: refused.
  const dropped = await gatewayAnswer(await issueToken(issuer1, SUBJECT));
  expect(dropped.status).toBe(401);
  expect(dropped.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  expect(await subgraphAnswer(internal1)).toEqual({ status: 401, code: 'UNAUTHENTICATED' });

  // The second keys (now the previous ones) still verify.
  const previousIssuer = await gatewayAnswer(await issueToken(issuer2!, SUBJECT));
  expect(previousIssuer.status).toBe(200);
  expect(await subgraphAnswer(internal2!)).toEqual({ status: 200, code: undefined });
});

test('the gateway never signs with a half-written key file, nor with a key not yet in the JWKS', async () => {
  const keyDir = await mkdtemp(join(tmpdir(), 'epf-key-follow-'));
  const privatePath = join(keyDir, 'internal.private.json');
  const jwksPath = join(keyDir, 'internal.jwks.json');
  const first = await generateSigningKey('follow-1');
  const second = await generateSigningKey('follow-2');
  await writeKeyFiles(first, privatePath, jwksPath);
  const keys = await InternalSigningKeys.open({
    privateKeyPath: privatePath,
    jwksPath,
    pollMs: 600_000,
    logger: silentLogger(),
  });
  try {
    const text = JSON.stringify(second.privateJwk);
    await writeFile(privatePath, text.slice(0, text.length / 2)); // an in-place writer, half-way
    await keys.poll();
    await keys.poll();
    expect(keys.current().kid).toBe('follow-1');

    await writeFile(privatePath, text); // complete, but its public key is not published yet
    await keys.poll();
    await keys.poll();
    expect(keys.current().kid).toBe('follow-1');

    await writeFile(jwksPath, JSON.stringify({ keys: [...second.jwks.keys, ...first.jwks.keys] }));
    await keys.poll();
    expect(keys.current().kid).toBe('follow-2');
    expect(keys.jwks().keys.map((k) => k.kid)).toEqual(['follow-2', 'follow-1']);
  } finally {
    keys.stop();
    await rm(keyDir, { recursive: true, force: true });
  }
});
