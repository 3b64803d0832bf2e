import { STATUS_CODES, type IncomingHttpHeaders } from 'node:http';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher, FetcherRequestInit, FetcherResponse } from '@apollo/utils.fetcher';
import { GraphQLError } from 'graphql';
import { LRUCache } from 'lru-cache';
import { Agent, request, type Dispatcher } from 'undici';
import { ErrorCode } from '../subgraphs/kit/errors';
import { INTERNAL_TOKEN_TTL_SECONDS, signInternalToken } from '../subgraphs/kit/internal-token';
import type { SigningKey } from '../subgraphs/kit/keys';
import type { Logger } from '../subgraphs/kit/logger';
import type { Principal } from '../subgraphs/kit/principal';
import type { GatewayContext } from './context';
import type { CallerPrincipal } from './principals';
import { DEFAULT_ENTITY_CACHE, EntityCache, fetchEntities, type EntityCacheOptions } from './entity-fetch';
import type { SubgraphCallObserver, TransportStats } from './metrics';

export interface SubgraphTransportOptions {
  /** How long one subgraph call may take, headers and body (SUBGRAPH_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Per-subgraph overrides of `timeoutMs` (SUBGRAPH_TIMEOUT_MS_<NAME>). */
  timeoutMsBySubgraph?: Partial<Record<string, number>>;
  /**
   * How long an idle connection is kept for reuse. Below the subgraphs' own keep-alive (65 s,
   * kit/http.ts), so the gateway closes first and never writes on a socket the server is closing.
   */
  keepAliveMs?: number;
  /**
   * Share one subgraph call between identical queries in flight at the same time for the same
   * caller (same principal, scopes, jurisdiction and purpose): SUBGRAPH_DEDUPE, default on.
   */
  dedupe?: boolean;
  /** The entity cache's size and longest use (ENTITY_CACHE_SIZE, ENTITY_CACHE_MAX_AGE_SECONDS). */
  entityCache?: EntityCacheOptions;
  logger?: Pick<Logger, 'warn'>;
}

/**
 * The header by which `SignedSubgraphSource` tells the transport whose call this is (the caller's
 * principal without the request id, encoded: callerDigest); the transport removes it before sending.
 */
export const DEDUPE_HEADER = 'x-gateway-dedupe-key';

/** A subgraph's whole answer, read once (and shared as it is between de-duplicated callers). */
interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** The headers of a RawResponse: as much of the Fetch API `Headers` as RemoteGraphQLDataSource reads. */
class AnswerHeaders {
  constructor(private readonly raw: IncomingHttpHeaders) {}
  get(name: string): string | null {
    const v = this.raw[name.toLowerCase()];
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
  }
  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }
}

/** A RawResponse as the `Response` RemoteGraphQLDataSource expects (status, headers, text/json). */
function lightResponse(url: string, raw: RawResponse): FetcherResponse {
  const response = {
    url,
    status: raw.status,
    statusText: STATUS_CODES[raw.status] ?? '',
    ok: raw.status >= 200 && raw.status < 300,
    redirected: false,
    bodyUsed: false,
    headers: new AnswerHeaders(raw.headers),
    text: async () => raw.body,
    json: async () => JSON.parse(raw.body) as unknown,
    arrayBuffer: async () => new TextEncoder().encode(raw.body).buffer,
    clone: () => lightResponse(url, raw),
  };
  return response as unknown as FetcherResponse;
}

export const DEFAULT_SUBGRAPH_TIMEOUT_MS = 10_000;

/**
 * The gateway's HTTP client to its subgraphs: one undici connection pool (keep-alive) shared by
 * every subgraph source, so supergraph reloads reuse it too.
 */
export class SubgraphTransport {
  private readonly agent: Agent;
  /** Identical queries in flight, by subgraph URL, caller digest and body. */
  private readonly inflight = new Map<string, Promise<RawResponse>>();
  /** Calls answered from another in-flight call (tests, metrics). */
  shared = 0;
  /** The internal tokens signed for the subgraphs this transport calls, reused per caller. */
  readonly tokens = new InternalTokenCache();
  /** Entities the subgraphs marked cacheable, per caller (gateway/entity-fetch.ts). */
  readonly entities: EntityCache;

  constructor(private readonly opts: SubgraphTransportOptions = {}) {
    this.entities = new EntityCache(opts.entityCache ?? DEFAULT_ENTITY_CACHE);
    const keepAlive = opts.keepAliveMs ?? 30_000;
    this.agent = new Agent({
      keepAliveTimeout: keepAlive,
      keepAliveMaxTimeout: keepAlive,
      connect: { timeout: Math.min(5_000, this.timeoutFor('')) },
    });
  }

  /** What this transport has spared so far (gateway metrics). */
  stats(): TransportStats {
    return {
      shared: this.shared,
      entityCacheHits: this.entities.hits,
      entityCacheMisses: this.entities.misses,
      tokensSigned: this.tokens.signed,
    };
  }

  timeoutFor(subgraph: string): number {
    return this.opts.timeoutMsBySubgraph?.[subgraph] ?? this.opts.timeoutMs ?? DEFAULT_SUBGRAPH_TIMEOUT_MS;
  }

  /**
   * A fetcher bounded by the subgraph's timeout (both attempts together) that sends a query once
   * more after a connection error; a mutation is never sent twice (the subgraph may have applied it).
   */
  fetcherFor(subgraph: string): Fetcher {
    const fetchOnce = this.sendWithRetry(subgraph);
    if (this.opts.dedupe === false) {
      return async (url, init) => lightResponse(url, await fetchOnce(url, withoutDedupeHeader(init)));
    }
    return async (url: string, init?: FetcherRequestInit): Promise<FetcherResponse> => {
      const caller = init?.headers?.[DEDUPE_HEADER];
      const request = withoutDedupeHeader(init);
      // only reads of a known caller are shared: a mutation always goes on its own
      if (!caller || typeof request?.body !== 'string' || isMutationBody(request.body)) {
        return lightResponse(url, await fetchOnce(url, request));
      }
      const key = `${url}\n${caller}\n${request.body}`;
      let pending = this.inflight.get(key);
      if (pending) {
        this.shared += 1;
      } else {
        pending = fetchOnce(url, request).finally(() => this.inflight.delete(key));
        this.inflight.set(key, pending);
      }
      return lightResponse(url, await pending);
    };
  }

  /**
   * One call bounded by the subgraph's timeout (headers and body), a query sent once more after a
   * connection error. undici's `request` rather than its WHATWG `fetch`: the same pool, without the
   * web-streams machinery a gateway pays for on every subgraph call.
   */
  private sendWithRetry(subgraph: string): (url: string, init?: FetcherRequestInit) => Promise<RawResponse> {
    return async (url, init) => {
      const signal = AbortSignal.timeout(this.timeoutFor(subgraph));
      const send = async (): Promise<RawResponse> => {
        const res = await request(url, {
          method: (init?.method ?? 'POST') as Dispatcher.HttpMethod,
          headers: init?.headers,
          body: init?.body as string | Buffer | undefined,
          signal,
          dispatcher: this.agent,
        });
        return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
      };
      try {
        return await send();
      } catch (e) {
        if (!isConnectionError(e) || isMutationBody(init?.body)) throw e;
        this.opts.logger?.warn(
          { subgraph, requestId: init?.headers?.['x-request-id'], reason: describe(e) },
          'subgraph connection failed; sending the query once more',
        );
        return send();
      }
    };
  }

  /** Ends every connection, cutting calls still running (by then their callers are gone). */
  close(): Promise<void> {
    return this.agent.destroy();
  }
}

/**
 * The headers RemoteGraphQLDataSource built (a node-fetch `Headers`) as a plain object: from its
 * `raw()` map where it has one (iterating a node-fetch `Headers` sorts its names at every step).
 */
function plainHeaders(headers: Iterable<[string, string]>): Record<string, string> {
  const raw = (headers as { raw?: () => Record<string, string[]> }).raw?.();
  if (!raw) return Object.fromEntries(headers);
  const plain: Record<string, string> = {};
  for (const name in raw) plain[name.toLowerCase()] = raw[name]!.join(', ');
  return plain;
}

function withoutDedupeHeader(init: FetcherRequestInit | undefined): FetcherRequestInit | undefined {
  if (!init?.headers || !(DEDUPE_HEADER in init.headers)) return init;
  const headers = { ...init.headers };
  delete headers[DEDUPE_HEADER];
  return { ...init, headers };
}

/** The caller as far as a subgraph's answer can depend on it: everything but the request id. */
const callerDigests = new WeakMap<object, string>();
export function callerDigest(principal: Principal): string {
  let d = callerDigests.get(principal);
  if (!d) {
    d = digestOf(principal);
    callerDigests.set(principal, d);
  }
  return d;
}

function digestOf(principal: Principal): string {
  // the caller itself, encoded to travel in a header (only ever an in-memory key: a hash would cost more)
  const { requestId: _requestId, ...caller } = principal;
  return Buffer.from(JSON.stringify(caller)).toString('base64url');
}

/** Digests by caller (PrincipalResolver's cached object, shared by its requests) and purpose. */
const digestsByCaller = new WeakMap<CallerPrincipal, Map<string | null, string>>();
/** Purposes remembered per caller: a caller sending ever new ones gets its digest computed per request. */
const PURPOSES_PER_CALLER = 16;

/**
 * The principal of one request, `{ ...caller, purpose, requestId }`, with its callerDigest computed
 * once per caller and purpose rather than per request (it is the same text: the digest leaves the
 * request id out). `caller` must not change once made, as PrincipalResolver's cached callers do not.
 */
export function requestPrincipal(caller: CallerPrincipal, purpose: string | null, requestId: string): Principal {
  const principal: Principal = { ...caller, purpose, requestId };
  let byPurpose = digestsByCaller.get(caller);
  if (!byPurpose) digestsByCaller.set(caller, (byPurpose = new Map()));
  let d = byPurpose.get(purpose);
  if (d === undefined) {
    d = digestOf(principal);
    if (byPurpose.size < PURPOSES_PER_CALLER) byPurpose.set(purpose, d);
  }
  callerDigests.set(principal, d);
  return principal;
}

/**
 * The internal tokens the gateway has signed, by subgraph, signing key and caller digest: one
 * caller's requests reuse a token while it has at least INTERNAL_TOKEN_REUSE_MIN_LEFT_SECONDS to
 * live (signing is an ES256 operation; a subgraph then also finds the token among those it has
 * verified). Such a token carries no request id: each call sends its id in `x-request-id`.
 * Bounded (oldest dropped first).
 */
export class InternalTokenCache {
  private readonly tokens: LRUCache<string, { token: Promise<string>; reuseUntil: number }>;
  /** Tokens signed (tests, metrics). */
  signed = 0;

  constructor(maxEntries = 10_000) {
    this.tokens = new LRUCache({ max: maxEntries });
  }

  get(key: SigningKey, principal: Principal, subgraph: string): Promise<string> {
    const id = `${subgraph}\n${key.kid}\n${callerDigest(principal)}`;
    const now = Date.now();
    const hit = this.tokens.get(id);
    if (hit && hit.reuseUntil > now) return hit.token;
    const token = signInternalToken(key, principal, subgraph, INTERNAL_TOKEN_TTL_SECONDS, { withRequestId: false });
    this.signed += 1;
    const entry = {
      token,
      reuseUntil: now + (INTERNAL_TOKEN_TTL_SECONDS - INTERNAL_TOKEN_REUSE_MIN_LEFT_SECONDS) * 1000,
    };
    this.tokens.set(id, entry);
    token.catch(() => {
      if (this.tokens.peek(id) === entry) this.tokens.delete(id);
    });
    return token;
  }
}

/**
 * A cached token is used only while it has this long left to live: more than a subgraph call may
 * take (SUBGRAPH_TIMEOUT_MS, 10 s by default) plus clock skew.
 */
export const INTERNAL_TOKEN_REUSE_MIN_LEFT_SECONDS = 30;

/** The transport of gateways built without one (tests of other things): default settings. */
let defaultTransport: SubgraphTransport | undefined;

/** Errors where the request surely got no answer from the subgraph: a query may be sent again. */
const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function errorCode(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 4; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

export const isConnectionError = (e: unknown): boolean => CONNECTION_ERROR_CODES.has(errorCode(e) ?? '');

// By name, not instanceof: undici's errors may come from another realm (e.g. under jest).
const nameOf = (e: unknown): string | undefined => (e as { name?: unknown } | null)?.name as string | undefined;
const isTimeout = (e: unknown): boolean =>
  nameOf(e) === 'TimeoutError' || (nameOf(e) === 'AbortError' && /timeout/i.test(String((e as Error).message)));

const MUTATION = /^\s*(?:#[^\n]*\n\s*)*mutation\b/;

/**
 * Whether a subgraph request body carries a mutation. The gateway writes `{"query":"<operation>",…}`
 * (RemoteGraphQLDataSource puts the query first), so the operation's first keyword is read without
 * parsing the whole body; any other shape is parsed.
 */
export function isMutationBody(body: string | Buffer | undefined): boolean {
  if (body === undefined) return false;
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const head = /^\{"query":"((?:\\n|\\t|\s)*)(\w+)/.exec(text);
  if (head) return head[2] === 'mutation';
  try {
    return MUTATION.test(String((JSON.parse(text) as { query?: unknown }).query ?? ''));
  } catch {
    return true; // unreadable: never risk sending it twice
  }
}

/**
 * Calls one subgraph with a short-lived token the gateway signs for it (audience = subgraph),
 * carrying the caller's principal and purpose (reused by the caller's requests for up to 30 s:
 * InternalTokenCache), and the request id in `x-request-id`. No client header is forwarded.
 *
 * Failures: a call is bounded by the subgraph's timeout; a query that met a connection error is
 * sent once more (a mutation never is: the subgraph may have applied it); a subgraph that cannot
 * be reached, times out or answers 502–504 becomes SERVICE_UNAVAILABLE with a generic message,
 * the detail (never sent to clients) going to the log.
 */
export class SignedSubgraphSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly tokens: InternalTokenCache;
  private readonly entityCache: EntityCache;

  constructor(
    url: string,
    private readonly subgraph: string,
    private readonly signingKey: () => SigningKey,
    transport?: SubgraphTransport,
    private readonly observe?: SubgraphCallObserver, // gateway/metrics.ts: latency and failures per subgraph
  ) {
    super({ url });
    const t = transport ?? (defaultTransport ??= new SubgraphTransport());
    this.fetcher = t.fetcherFor(subgraph);
    this.tokens = t.tokens;
    this.entityCache = t.entities;
    // RemoteGraphQLDataSource's own sendRequest (private in its types, called by its `process`)
    // builds a node-fetch Request of every call only to pass it to parseBody and
    // didEncounterError, which never read it here: a copy of the whole body and its headers per
    // call (docs/PERFORMANCE.md, step 10). This one does the same without it.
    Object.defineProperty(this, 'sendRequest', { value: this.send });
  }

  /** RemoteGraphQLDataSource.sendRequest (@apollo/gateway 2.14) without the unused node-fetch Request. */
  private readonly send = async (
    request: GraphQLDataSourceProcessOptions<GatewayContext>['request'],
    context: GatewayContext,
  ) => {
    if (!request.http) throw new Error("Internal error: Only 'http' requests are supported.");
    const { http, ...body } = request;
    const init: FetcherRequestInit = {
      method: http.method,
      headers: plainHeaders(http.headers),
      body: JSON.stringify(body),
    };
    let response: FetcherResponse | undefined;
    try {
      response = await this.fetcher(http.url, init);
      if (!response.ok) throw await this.errorFromResponse(response);
      const parsed = await this.parseBody(response, undefined, context);
      if (typeof parsed !== 'object' || parsed === null) {
        throw new Error(`Expected JSON response body, but received: ${String(parsed)}`);
      }
      return { ...parsed, http: response };
    } catch (error) {
      this.didEncounterError(error as Error, undefined, response, context);
      throw error;
    }
  };

  override process(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    const principal = 'principal' in options.context ? options.context.principal : undefined;
    const scope = principal ? `${this.subgraph}\n${callerDigest(principal)}` : undefined;
    // entity fetches: each distinct representation once, and not those the entity cache holds;
    // only what is really sent is observed as a subgraph call
    const send = (o: GraphQLDataSourceProcessOptions<GatewayContext>) =>
      this.observe ? this.observe(this.subgraph, () => super.process(o)) : super.process(o);
    return fetchEntities(options, send, scope, this.entityCache);
  }

  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const principal = 'principal' in context ? context.principal : undefined;
    if (!principal || !request.http) return; // health checks carry no caller
    let token = context.internalTokens.get(this.subgraph);
    if (!token) {
      token = this.tokens.get(this.signingKey(), principal, this.subgraph);
      context.internalTokens.set(this.subgraph, token);
    }
    request.http.headers.set('authorization', `Bearer ${await token}`);
    request.http.headers.set('x-request-id', principal.requestId);
    request.http.headers.set(DEDUPE_HEADER, callerDigest(principal));
  }

  /** Transport failures become a generic SERVICE_UNAVAILABLE; other errors pass as they are. */
  override didEncounterError(
    error: Error,
    _fetchRequest: unknown,
    _fetchResponse?: FetcherResponse,
    context?: GatewayContext,
  ): void {
    const status = (error as GraphQLError).extensions?.response as { status?: number } | undefined;
    const transport = isConnectionError(error) || isTimeout(error);
    const badGateway = status?.status !== undefined && status.status >= 502 && status.status <= 504;
    if (!transport && !badGateway) throw error;
    (context ? this.log(context) : undefined)?.warn(
      { subgraph: this.subgraph, reason: describe(error), timeout: isTimeout(error) },
      'subgraph unavailable',
    );
    throw new GraphQLError('A part of the graph is temporarily unavailable; retry shortly', {
      extensions: { code: ErrorCode.SERVICE_UNAVAILABLE },
    });
  }

  private log(context: GatewayContext): GatewayContext['log'] | undefined {
    return 'log' in context ? context.log : undefined;
  }
}

/** The error's own words for the log: its code and message, never sent to a client. */
function describe(e: unknown): string {
  const code = errorCode(e);
  const message = typeof (e as Error | null)?.message === 'string' ? (e as Error).message : String(e);
  return code ? `${code}: ${message}` : message;
}
