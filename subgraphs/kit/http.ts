import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express, Request, Response } from 'express';

export interface Readiness {
  ready: boolean;
  /** Per-dependency detail; never secrets, URLs or data. */
  checks: Record<string, string>;
}

/**
 * `/healthz` (the process is alive) and `/readyz` (it can serve), unauthenticated and data-free.
 * `/readyz` answers 503 while not ready, so a load balancer keeps traffic away.
 */
export function mountHealth(app: Express, readiness: () => Promise<Readiness>): void {
  app.get('/healthz', (_req: Request, res: Response) => {
    res.status(200).json({ status: 'ok' });
  });
  app.get('/readyz', async (_req: Request, res: Response) => {
    const r = await readiness().catch((): Readiness => ({ ready: false, checks: { self: 'error' } }));
    res.status(r.ready ? 200 : 503).json({ status: r.ready ? 'ready' : 'not ready', checks: r.checks });
  });
}

export interface Listening {
  server: Server;
  port: number;
  url: string;
  /** Requests being answered now (health checks excluded). */
  inFlight(): number;
  /**
   * The first step of a graceful shutdown: keeps listening (so /readyz can answer 503 to the load
   * balancer) while the requests in flight finish, for at most `graceMs`; every response from now
   * on closes its connection. Resolves when none is left or the grace period is over.
   */
  drain(graceMs: number): Promise<void>;
  /** Stops listening and waits for in-flight requests, closing what is left after `graceMs`. */
  close(graceMs?: number): Promise<void>;
}

const isHealthCheck = (url: string | undefined) => url === '/healthz' || url === '/readyz';

/** Listens (port 0 picks a free port) and returns a close that waits for in-flight requests. */
export async function listen(handler: RequestListener, port: number, host: string): Promise<Listening> {
  const server = createServer(handler);
  server.keepAliveTimeout = 65_000;
  let inFlight = 0;
  let draining = false;
  const idle = new Set<() => void>();
  // prepended: it must run before the app answers (a synchronous answer sends its headers at once)
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    if (draining) res.setHeader('connection', 'close');
    if (isHealthCheck(req.url)) return;
    inFlight += 1;
    res.once('close', () => {
      inFlight -= 1;
      if (inFlight === 0) for (const notify of idle) notify();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    server,
    port: actual,
    url: `http://${host}:${actual}`,
    inFlight: () => inFlight,
    drain: (graceMs) => {
      draining = true;
      if (inFlight === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          idle.delete(done);
          resolve();
        };
        const timer = setTimeout(done, graceMs);
        timer.unref();
        idle.add(done);
      });
    },
    close: (graceMs = 5_000) =>
      new Promise<void>((resolve) => {
        draining = true;
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

export interface GracefulShutdown {
  log: { info(obj: object | string, msg?: string): void };
  listening: Listening;
  /** SHUTDOWN_GRACE_MS: how long in-flight requests may take to finish. */
  graceMs: number;
  /** Turns readiness off (/readyz answers 503 from now on). */
  drain(): void;
  /** Everything after the listener is closed: the server, then the process's own resources. */
  stop(): Promise<void>;
}

/**
 * SIGTERM/SIGINT: readiness off, in-flight requests finish within the grace period, the listener
 * closes, `stop` runs, exit 0. Once only (Ctrl-C reaches every process of the group, then the
 * launcher's SIGTERM), and never hanging: the process is gone shortly after the grace period
 * whatever happens.
 */
export function exitGracefullyOnSignals(s: GracefulShutdown): void {
  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    s.log.info({ signal, inFlight: s.listening.inFlight() }, 'shutting down: draining');
    setTimeout(() => process.exit(1), s.graceMs + 5_000).unref();
    const deadline = Date.now() + s.graceMs;
    s.drain();
    await s.listening.drain(s.graceMs);
    await s.listening.close(Math.max(0, deadline - Date.now()));
    await s.stop();
    s.log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
