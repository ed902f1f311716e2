import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/**
 * Paths pino replaces with "[redacted]" wherever they appear in a log
 * object. Defence in depth: no code path logs a lease or a header set, but if
 * one ever did, these keys would not reach stdout.
 */
const SECRET_KEYS = [
  'secretAccessKey',
  'sessionToken',
  // A cached lease's container answer, which holds its secrets (lakeformation/container-body.ts).
  'containerBody',
  'SecretAccessKey',
  'SessionToken',
  'Token',
  'token',
  'authorization',
  'Authorization',
];
const REDACT_PATHS = [...SECRET_KEYS, ...SECRET_KEYS.map((key) => `*.${key}`), 'req.headers.authorization', 'headers.authorization'];

export interface LoggerInit {
  level: LevelWithSilent;
  /** Where JSON lines go. Default: stdout. Tests pass a stream to capture them. */
  destination?: NodeJS.WritableStream;
}

/** pino JSON logger on stdout with secret redaction. */
export function createLogger(init: LoggerInit): Logger {
  return pino(
    {
      name: 'lfcs',
      level: init.level,
      base: undefined,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    (init.destination ?? process.stdout) as pino.DestinationStream,
  );
}
