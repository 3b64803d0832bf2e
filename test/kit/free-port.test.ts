import { createServer } from 'node:net';
import { freePort } from '../../scripts/postgres-cluster';

/**
 * Ports for the servers tests and the bench start come from below the kernel's ephemeral range, so
 * no outgoing connection can take one before its server listens (scripts/postgres-cluster.ts).
 */
test('freePort gives ports below the ephemeral range, each free to listen on', async () => {
  const ports = await Promise.all(Array.from({ length: 5 }, () => freePort()));
  for (const port of ports) {
    expect(port).toBeGreaterThanOrEqual(20_000);
    expect(port).toBeLessThan(32_768);
    const srv = createServer();
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => srv.close(resolve));
  }
});
