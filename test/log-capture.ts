import { createLogger, type Logger } from '../subgraphs/kit/logger';

/** A real JSON logger whose lines are kept in memory, for tests that assert on logs. */
export function captureLogs(service = 'test'): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const raw: string[] = [];
  const logger = createLogger(service, 'info', { write: (s: string) => void raw.push(s) });
  return { logger, lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>) };
}
