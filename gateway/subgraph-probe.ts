/**
 * Per-subgraph readiness for the gateway's /readyz body. It informs operators but never makes the
 * gateway unready: one failed subgraph must not take every gateway out of the load balancer.
 */
export class SubgraphProbe {
  private cached: { at: number; value: Record<string, string> } | undefined;

  constructor(
    private readonly targets: () => { name: string; url: string }[],
    private readonly ttlMs = 2_000,
    private readonly timeoutMs = 1_000,
  ) {}

  async statuses(): Promise<Record<string, string>> {
    if (this.cached && Date.now() - this.cached.at < this.ttlMs) return this.cached.value;
    const entries = await Promise.all(
      this.targets().map(async ({ name, url }) => [name, await this.check(url)] as const),
    );
    const value = Object.fromEntries(entries);
    this.cached = { at: Date.now(), value };
    return value;
  }

  private async check(graphqlUrl: string): Promise<string> {
    try {
      const res = await fetch(new URL('/readyz', graphqlUrl), { signal: AbortSignal.timeout(this.timeoutMs) });
      return res.ok ? 'ready' : 'not ready';
    } catch {
      return 'unreachable';
    }
  }
}
