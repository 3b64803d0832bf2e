import { createServer, type Server } from 'node:http';
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
  close(graceMs?: number): Promise<void>;
}

/** Listens (port 0 picks a free port) and returns a close that waits for in-flight requests. */
export async function listen(app: Express, port: number, host: string): Promise<Listening> {
  const server = createServer(app);
  server.keepAliveTimeout = 65_000;
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
    close: (graceMs = 5_000) =>
      new Promise<void>((resolve) => {
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
