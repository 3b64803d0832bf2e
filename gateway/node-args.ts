/**
 * The Node.js flags the gateway process runs with (`npm start`, the benchmark; run it the same way
 * in a deployment). V8 otherwise lets the heap of a busy gateway grow to several hundred MB before
 * collecting old garbage; under the benchmark's load the gateway thrashes at a 96 MB limit (its live
 * heap is close to that), so 160 MB leaves room above it and keeps the process near 220 MB RSS
 * (docs/PERFORMANCE.md, optimisation log steps 5 and 8: at 192 MB one run peaked at 252 MB).
 */
export const DEFAULT_GATEWAY_HEAP_MB = 160;

/** `--max-old-space-size` from GATEWAY_HEAP_MB (64–16384, default 160); a bad value is an error naming the rule. */
export function gatewayNodeArgs(env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = env.GATEWAY_HEAP_MB;
  const mb = raw === undefined || raw === '' ? DEFAULT_GATEWAY_HEAP_MB : Number(raw);
  if (!Number.isInteger(mb) || mb < 64 || mb > 16_384) {
    throw new Error(`GATEWAY_HEAP_MB must be a whole number of MB from 64 to 16384 (got "${raw}")`);
  }
  return [`--max-old-space-size=${mb}`];
}
