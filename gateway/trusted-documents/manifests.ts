import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * Trusted documents: each registered consumer app commits the operations it may run as a manifest
 * `schema/operations/<client>.json`, in Apollo's persisted-query manifest format. An operation's id is
 * the SHA-256 (hex) of its exact body, the hash Apollo clients send as
 * `extensions.persistedQuery.sha256Hash`.
 */
export interface ManifestOperation {
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  body: string;
}

export interface OperationManifest {
  /** The client id: the file's name without `.json` (a token's `client_id` claim names it). */
  client: string;
  file: string;
  operations: ManifestOperation[];
}

export const MANIFEST_FORMAT = 'apollo-persisted-query-manifest';

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

export class ManifestError extends Error {}

/** Parses one manifest; refuses a wrong format, a malformed entry or an id that is not its body's hash. */
export function parseManifest(file: string, text: string): OperationManifest {
  const client = basename(file, '.json');
  let raw: { format?: unknown; version?: unknown; operations?: unknown };
  try {
    raw = JSON.parse(text) as typeof raw;
  } catch (e) {
    throw new ManifestError(`${file}: not JSON (${(e as Error).message})`);
  }
  if (raw.format !== MANIFEST_FORMAT || raw.version !== 1) {
    throw new ManifestError(`${file}: format must be "${MANIFEST_FORMAT}" version 1`);
  }
  if (!Array.isArray(raw.operations)) throw new ManifestError(`${file}: operations must be an array`);
  const operations = raw.operations.map((op: Partial<ManifestOperation>, i: number): ManifestOperation => {
    const where = `${file}: operations[${i}]`;
    if (typeof op.body !== 'string' || !op.body.trim()) throw new ManifestError(`${where}.body must be a document`);
    if (typeof op.name !== 'string' || !op.name) throw new ManifestError(`${where}.name is required`);
    if (op.type !== 'query' && op.type !== 'mutation' && op.type !== 'subscription') {
      throw new ManifestError(`${where}.type must be query, mutation or subscription`);
    }
    if (op.id !== sha256Hex(op.body)) {
      throw new ManifestError(`${where} (${op.name}).id must be the SHA-256 of its body: ${sha256Hex(op.body)}`);
    }
    return { id: op.id, name: op.name, type: op.type, body: op.body };
  });
  return { client, file, operations };
}

/** Every manifest in `dir` (`*.json`), by client id. */
export function loadManifests(dir: string): Map<string, OperationManifest> {
  const out = new Map<string, OperationManifest>();
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return out; // no manifests registered
  }
  for (const f of files.sort()) {
    const path = join(dir, f);
    const manifest = parseManifest(path, readFileSync(path, 'utf8'));
    out.set(manifest.client, manifest);
  }
  return out;
}

/** Lookups over all registered manifests. */
export class TrustedDocuments {
  private readonly byHash = new Map<string, string>();
  private readonly hashesByClient = new Map<string, Set<string>>();

  constructor(readonly manifests: ReadonlyMap<string, OperationManifest>) {
    for (const m of manifests.values()) {
      this.hashesByClient.set(m.client, new Set(m.operations.map((o) => o.id)));
      for (const o of m.operations) this.byHash.set(o.id, o.body);
    }
  }

  /** The document a hash stands for, in any manifest. */
  body(hash: string): string | undefined {
    return this.byHash.get(hash);
  }

  hasClient(client: string): boolean {
    return this.hashesByClient.has(client);
  }

  allows(client: string, hash: string): boolean {
    return this.hashesByClient.get(client)?.has(hash) ?? false;
  }
}
