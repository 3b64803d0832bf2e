import type { GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import type { GraphQLFormattedError } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { GatewayContext } from './context';

/**
 * Entity fetches (`_entities(representations: …)`) sent to a subgraph, made smaller:
 *
 * - **De-duplicated representations.** The query planner sends one representation per place an
 *   entity appears (the same administrative unit under every passage, the same person on every
 *   row); the subgraph gets each distinct representation once and the answer is spread back to every
 *   place (a fresh copy for each, errors repeated with their paths renumbered).
 * - **Entity cache** (EntityCache), for what the subgraph itself marks cacheable: when its answer
 *   carries `Cache-Control: max-age=N` (Apollo Server sends it when every type answered has a
 *   `@cacheControl` hint, e.g. the official administrative units, and there were no errors), each
 *   entity is kept for min(N, the gateway's cap) under the caller's digest (never shared between
 *   callers), the query and the other variables; later fetches send only the representations not
 *   kept (emptied when a new supergraph is applied). Types whose fields are audited cannot carry a hint (kit/server.ts refuses it), so a cached
 *   answer never skips an audit record.
 */
export interface EntityCacheOptions {
  /** Entities kept at most (ENTITY_CACHE_SIZE; 0 turns the cache off). */
  maxEntries: number;
  /** The longest a kept entity is used, whatever the subgraph allows (ENTITY_CACHE_MAX_AGE_SECONDS). */
  maxAgeSeconds: number;
}

export const DEFAULT_ENTITY_CACHE: EntityCacheOptions = { maxEntries: 5_000, maxAgeSeconds: 300 };

interface Kept {
  /** The entity as JSON: every hit parses a fresh object (the gateway merges later fetches into it). */
  json: string;
  expiresAt: number;
}

export class EntityCache {
  /** Bounded and least-recently-used first out (lru-cache); expiry is checked here, by the caller's clock. */
  private readonly entries: LRUCache<string, Kept> | undefined;
  hits = 0;
  misses = 0;

  constructor(readonly options: EntityCacheOptions = DEFAULT_ENTITY_CACHE) {
    this.entries = this.enabled ? new LRUCache<string, Kept>({ max: options.maxEntries }) : undefined;
  }

  get enabled(): boolean {
    return this.options.maxEntries > 0 && this.options.maxAgeSeconds > 0;
  }

  get(key: string, now: number): unknown {
    const kept = this.entries?.get(key);
    if (!kept) return undefined;
    if (kept.expiresAt <= now) {
      this.entries!.delete(key);
      return undefined;
    }
    return JSON.parse(kept.json) as unknown;
  }

  set(key: string, entity: unknown, maxAgeSeconds: number, now: number): void {
    const seconds = Math.min(maxAgeSeconds, this.options.maxAgeSeconds);
    if (seconds <= 0 || !this.entries) return;
    this.entries.set(key, { json: JSON.stringify(entity), expiresAt: now + seconds * 1000 });
  }

  /** Forgets everything (server.ts, when a new supergraph is applied). */
  clear(): void {
    this.entries?.clear();
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }
}

type GraphQLResponse = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;
type Send = (options: GraphQLDataSourceProcessOptions<GatewayContext>) => Promise<GraphQLResponse>;
/** What RemoteGraphQLDataSource answers: the body, and the HTTP response it came in. */
type Response = GraphQLResponse & { http?: { headers: { get(name: string): string | null } } };

/** `max-age` of a cacheable answer (`max-age=N, public|private`), else 0. */
export function cacheableFor(response: Response): number {
  const header = response.http?.headers.get('cache-control');
  if (!header || /no-store|no-cache/i.test(header)) return 0;
  const m = /(?:^|,)\s*max-age=(\d+)/i.exec(header);
  return m ? Number(m[1]) : 0;
}

/**
 * Sends an entity fetch with each distinct representation once, and only those not in the cache.
 * `scope` keys the cache: the subgraph and the digest of the caller's principal without the request
 * id (undefined: no caching). Any other request goes through `send` unchanged.
 */
export async function fetchEntities(
  options: GraphQLDataSourceProcessOptions<GatewayContext>,
  send: Send,
  scope: string | undefined,
  cache: EntityCache | undefined,
): Promise<GraphQLResponse> {
  const request = options.request;
  const representations = request.variables?.representations;
  if (!Array.isArray(representations) || representations.length === 0) return send(options);

  const useCache = cache?.enabled === true && scope !== undefined;
  const { representations: _r, ...otherVariables } = request.variables!;
  const base = useCache ? `${scope}\n${request.query}\n${JSON.stringify(otherVariables)}\n` : '';
  const now = Date.now();

  // distinct representations not in the cache, in first-seen order, and where each one goes
  const results: unknown[] = new Array<unknown>(representations.length);
  const uniqueIndex = new Map<string, number>();
  const unique: unknown[] = [];
  const keys: string[] = [];
  const placesOf: number[][] = [];
  for (let i = 0; i < representations.length; i++) {
    const key = JSON.stringify(representations[i]);
    if (useCache) {
      const hit = cache.get(base + key, now);
      if (hit !== undefined) {
        results[i] = hit;
        cache.hits += 1;
        continue;
      }
    }
    let u = uniqueIndex.get(key);
    if (u === undefined) {
      u = unique.length;
      uniqueIndex.set(key, u);
      unique.push(representations[i]);
      keys.push(key);
      placesOf.push([]);
      if (useCache) cache.misses += 1;
    }
    placesOf[u]!.push(i);
  }
  if (unique.length === 0) return { data: { _entities: results } };
  if (unique.length === representations.length) {
    // nothing to spare: send as it is, and keep what may be kept
    const response = (await send(options)) as Response;
    if (useCache) keep(response, keys, base, cache, now);
    return response;
  }

  const response = (await send({
    ...options,
    request: { ...request, variables: { ...request.variables, representations: unique } },
  } as GraphQLDataSourceProcessOptions<GatewayContext>)) as Response;
  const received = (response.data as { _entities?: unknown } | null | undefined)?._entities;
  if (useCache) keep(response, keys, base, cache, now);
  let data = response.data;
  if (Array.isArray(received)) {
    if (received.length !== unique.length)
      throw new Error(`Expected "data._entities" to contain ${unique.length} elements`);
    for (let u = 0; u < unique.length; u++) {
      placesOf[u]!.forEach((place, n) => {
        // the first place takes the object itself, every other place a copy of its own
        results[place] = n === 0 ? received[u] : structuredClone(received[u]);
      });
    }
    data = { ...response.data, _entities: results };
  }
  return { ...response, data, errors: response.errors && spreadErrors(response.errors, placesOf) };
}

/** Keeps each non-null entity of an error-free, cacheable answer. */
function keep(response: Response, keys: string[], base: string, cache: EntityCache, now: number): void {
  if (response.errors?.length) return;
  const maxAge = cacheableFor(response);
  if (maxAge <= 0) return;
  const entities = (response.data as { _entities?: unknown } | null | undefined)?._entities;
  if (!Array.isArray(entities) || entities.length !== keys.length) return;
  entities.forEach((entity, u) => {
    if (entity !== null && entity !== undefined) cache.set(base + keys[u]!, entity, maxAge, now);
  });
}

/** An error about `_entities[u]` becomes one error for each place that representation stood. */
function spreadErrors(errors: readonly GraphQLFormattedError[], placesOf: number[][]): GraphQLFormattedError[] {
  const out: GraphQLFormattedError[] = [];
  for (const error of errors) {
    const path = error.path;
    if (!path || path[0] !== '_entities' || typeof path[1] !== 'number' || !placesOf[path[1]]) {
      out.push(error);
      continue;
    }
    for (const place of placesOf[path[1]]!) out.push({ ...error, path: ['_entities', place, ...path.slice(2)] });
  }
  return out;
}
