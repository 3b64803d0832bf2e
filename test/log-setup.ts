import type * as LoggerModule from '../subgraphs/kit/logger';
import type * as LogScanModule from './log-scan';

/**
 * Runs before each test file (jest `setupFiles`): tests' "silent" loggers write real JSON lines to
 * the run's log-scan file instead of dropping them, so the global teardown can check that nothing
 * the suite did logged an identity number, a phone number or a token (test/log-scan.ts).
 */
jest.mock('../subgraphs/kit/logger', () => {
  const actual = jest.requireActual<typeof LoggerModule>('../subgraphs/kit/logger');
  const { suiteLogDestination } = jest.requireActual<typeof LogScanModule>('./log-scan');
  return {
    ...actual,
    silentLogger: () => {
      const destination = suiteLogDestination();
      return destination ? actual.createLogger('test', 'debug', destination) : actual.silentLogger();
    },
  };
});
