// JSON logs on stdout with ISO-8601 times. Secrets and personal data are redacted by path wherever they
// could appear.
import { type Logger, pino } from 'pino';

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'secret',
          'password',
          'smtpUrl',
          'databaseUrl',
          'metricsToken',
          '*.token',
          'email',
          '*.email',
          'req.headers.cookie',
          'req.headers.authorization',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
