// JSON logs on stdout. Secrets and personal data are redacted by path wherever they could appear.
import { type Logger, pino } from 'pino';

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: [
          'secret',
          'password',
          'smtpUrl',
          'databaseUrl',
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
