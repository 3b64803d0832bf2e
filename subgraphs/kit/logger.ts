import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Structured JSON logs, one logger per process, a child per request carrying its request id.
 * Redaction is a safety net: code must still never pass identity numbers, phones, tokens or
 * health answers to a logger.
 */
export function createLogger(service: string, level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'authorization',
          'token',
          'password',
          'req.headers.authorization',
          'headers.authorization',
          '*.authorization',
          '*.token',
          '*.password',
          '*.phone',
          '*.documentNumber',
        ],
        censor: '[redacted]',
      },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}

/** A logger that drops everything (tests that do not assert on logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
