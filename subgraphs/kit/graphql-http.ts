import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLResponse } from '@apollo/server';
import bodyParser from 'body-parser';
import { errorBody, ErrorCode, INTERNAL_MESSAGE } from './errors';
import type { Logger } from './logger';

/**
 * Apollo Server on a bare `node:http` handler, for the gateway and every subgraph: what
 * `express.json()` + `@as-integrations/express5` did, without Express's application and router
 * on each GraphQL request (docs/PERFORMANCE.md, step 15). The body is read by body-parser's JSON
 * reader itself (size limit, UTF-8 only, gzip/deflate/br bodies, strict JSON); Express still
 * serves the other routes (health, metrics, keys): `routeGraphQL`.
 */

/** Answers `status` with a JSON body (what Express's `res.status(s).json(body)` sent). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}

/**
 * Requests for `path` (and below it, as Express's `app.use(path)` matched them) go to `graphql`;
 * the rest to `other`. A fault `graphql` did not answer itself is logged and answered 500.
 */
export function routeGraphQL(
  path: string,
  graphql: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  other: RequestListener,
  log: Pick<Logger, 'error'>,
): RequestListener {
  const prefix = path.toLowerCase();
  return (req, res) => {
    if (!isUnder(req.url ?? '', prefix)) return other(req, res);
    graphql(req, res).catch((err: unknown) => {
      const requestId = res.getHeader('x-request-id') as string | undefined;
      log.error({ err, requestId }, 'GraphQL request failed');
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, errorBody(ErrorCode.INTERNAL_SERVER_ERROR, INTERNAL_MESSAGE, requestId));
    });
  };
}

function isUnder(url: string, prefix: string): boolean {
  const end = url.search(/[?#]/);
  const pathname = (end < 0 ? url : url.slice(0, end)).toLowerCase();
  return pathname === prefix || pathname.startsWith(`${prefix}/`);
}

export interface GraphQLHttpOptions {
  /** The largest body accepted (413 above it). */
  maxBodyBytes: number;
  log: Pick<Logger, 'error'>;
}

/** Serves one GraphQL request with the context `context` gives (called by Apollo Server when it needs it). */
export type GraphQLHttpHandler<C extends BaseContext> = (
  req: IncomingMessage,
  res: ServerResponse,
  context: () => Promise<C>,
) => Promise<void>;

export function graphqlHttp<C extends BaseContext>(
  apollo: ApolloServer<C>,
  opts: GraphQLHttpOptions,
): GraphQLHttpHandler<C> {
  apollo.assertStarted('graphqlHttp()');
  const readJson = bodyParser.json({ limit: opts.maxBodyBytes });
  return async (req, res, context) => {
    const failure = await new Promise<unknown>((resolve) => readJson(req, res, resolve));
    if (failure) return answerBodyError(failure, res, opts);
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const url = req.url ?? '';
    const query = url.indexOf('?');
    // Apollo Server answers its own failures; what it throws goes to routeGraphQL's 500
    const response: HTTPGraphQLResponse = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: (req.method ?? 'GET').toUpperCase(),
        headers,
        search: query < 0 ? '' : url.slice(query),
        body: (req as { body?: unknown }).body,
      },
      context,
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.setHeader('content-length', Buffer.byteLength(response.body.string));
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}

/**
 * A body that could not be read, answered as GraphQL-shaped JSON (never an HTML error page):
 * too large 413, not JSON 400, an unsupported charset or encoding 415, other reading faults 400;
 * anything else is ours (500, logged, not described to the caller).
 */
function answerBodyError(err: unknown, res: ServerResponse, opts: GraphQLHttpOptions): void {
  const { type, status } = err as { type?: unknown; status?: unknown };
  const requestId = res.getHeader('x-request-id') as string | undefined;
  const code = typeof status === 'number' ? status : 500;
  if (type === 'entity.too.large') {
    sendJson(
      res,
      413,
      errorBody(ErrorCode.PAYLOAD_TOO_LARGE, `Request body: must be at most ${opts.maxBodyBytes} bytes`, requestId),
    );
  } else if (type === 'entity.parse.failed') {
    sendJson(res, 400, errorBody(ErrorCode.BAD_REQUEST, 'Request body: must be valid JSON', requestId));
  } else if (code >= 400 && code < 500) {
    sendJson(
      res,
      code,
      errorBody(
        ErrorCode.BAD_REQUEST,
        'Request body: cannot be read (check Content-Type, charset and encoding)',
        requestId,
      ),
    );
  } else {
    opts.log.error({ requestId, err }, 'request failed before GraphQL');
    sendJson(res, 500, errorBody(ErrorCode.INTERNAL_SERVER_ERROR, INTERNAL_MESSAGE, requestId));
  }
}
