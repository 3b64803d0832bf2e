import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * An HTTP proxy on 127.0.0.1 put in front of one subgraph, to make it fail on demand: it counts
 * the connections and requests it receives, and can drop requests (before or after forwarding
 * them) or hold them unanswered until released.
 */
export interface FaultProxy {
  /** The GraphQL endpoint through the proxy. */
  readonly url: string;
  /** Where requests are forwarded (the subgraph's own GraphQL URL). */
  target: string;
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Requests received so far (dropped and held ones included). */
  readonly requests: number;
  /** Requests forwarded to the target so far. */
  readonly forwarded: number;
  /** Each request's body and the answer's headers, in order of arrival (answers filled in as they come). */
  readonly exchanges: { body: string; responseHeaders?: Record<string, string | string[] | undefined> }[];
  /** Requests held now (see `hold`). */
  readonly held: number;
  /** The next `n` requests are cut (socket destroyed) without being forwarded. */
  dropBeforeForwarding(n: number): void;
  /** The next `n` requests are forwarded, and the client's socket is cut instead of answering. */
  dropAfterForwarding(n: number): void;
  /** From now on, requests are held unanswered until `release()`. */
  hold(): void;
  /** Forwards every held request and stops holding. */
  release(): void;
  /** Cuts every held request (its client gave up) and stops holding. */
  dropHeld(): void;
  close(): Promise<void>;
}

export async function startFaultProxy(target = ''): Promise<FaultProxy> {
  let connections = 0;
  let requests = 0;
  let forwarded = 0;
  let dropBefore = 0;
  let dropAfter = 0;
  let holding = false;
  const heldQueue: (() => void)[] = [];
  const heldSockets = new Set<Socket>();
  const upstream = new Agent({ keepAlive: true });

  const exchanges: FaultProxy['exchanges'][number][] = [];
  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer, cutAnswer: boolean) => {
    forwarded += 1;
    const exchange = exchanges.find((e) => e.body === body.toString('utf8') && !e.responseHeaders);
    const up = httpRequest(
      proxy.target,
      { method: req.method, headers: { ...req.headers, host: new URL(proxy.target).host }, agent: upstream },
      (upRes) => {
        const chunks: Buffer[] = [];
        upRes.on('data', (c: Buffer) => chunks.push(c));
        upRes.on('end', () => {
          if (exchange) exchange.responseHeaders = upRes.headers;
          if (cutAnswer) return void req.socket.destroy();
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          res.end(Buffer.concat(chunks));
        });
      },
    );
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('bad gateway');
    });
    up.end(body);
  };

  const server = createServer((req, res) => {
    requests += 1;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      exchanges.push({ body: body.toString('utf8') });
      if (dropBefore > 0) {
        dropBefore -= 1;
        req.socket.destroy();
        return;
      }
      const cut = dropAfter > 0;
      if (cut) dropAfter -= 1;
      if (holding) {
        heldSockets.add(req.socket);
        heldQueue.push(() => {
          heldSockets.delete(req.socket);
          forward(req, res, body, cut);
        });
      } else forward(req, res, body, cut);
    });
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const proxy: FaultProxy = {
    url: `http://127.0.0.1:${port}/graphql`,
    target,
    get connections() {
      return connections;
    },
    get requests() {
      return requests;
    },
    get forwarded() {
      return forwarded;
    },
    exchanges,
    get held() {
      return heldQueue.length;
    },
    dropBeforeForwarding: (n) => {
      dropBefore = n;
    },
    dropAfterForwarding: (n) => {
      dropAfter = n;
    },
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const go of heldQueue.splice(0)) go();
    },
    dropHeld: () => {
      holding = false;
      heldQueue.splice(0);
      for (const socket of heldSockets) socket.destroy();
      heldSockets.clear();
    },
    close: async () => {
      heldQueue.splice(0);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      upstream.destroy();
    },
  };
  return proxy;
}

/** Polls `done` every 25 ms for at most `ms` (a bounded wait, never a fixed sleep). */
export async function waitUntil(
  done: () => boolean | Promise<boolean>,
  ms = 30_000,
  what = 'a condition',
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
