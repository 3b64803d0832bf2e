import { createLogger, type Logger } from '../subgraphs/kit/logger';
import { suiteLogDestination } from './log-scan';

/**
 * A real JSON logger whose lines are kept in memory, for tests that assert on logs; the lines also
 * go to the suite's log scan (test/log-scan.ts).
 */
export function captureLogs(service = 'test'): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const raw: string[] = [];
  const scan = suiteLogDestination();
  const logger = createLogger(service, 'info', {
    write: (s: string) => {
      raw.push(s);
      scan?.write(s);
    },
  });
  return { logger, lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>) };
}
