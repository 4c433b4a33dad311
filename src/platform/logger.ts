import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * Paths pino replaces with `[redacted]`: credentials and the personal data a log line could
 * carry by accident (HubSpot's ApiException embeds bodies and headers, B0/A0.3).
 */
export const REDACTED_PATHS = [
  'accessToken',
  'access_token',
  'token',
  'password',
  'clientSecret',
  'authorization',
  'headers.authorization',
  '*.authorization',
  '*.accessToken',
  'email',
  '*.email',
  'phone',
  '*.phone',
  'err.body',
  'err.headers',
  'err.cause',
];

export interface LoggerOptions {
  readonly level: string;
  /** Where lines go; stdout by default (tests pass a sink). */
  readonly destination?: DestinationStream;
}

/** The root logger: JSON lines, `service: handoff`, redaction on. Built once, passed in. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'handoff' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    options.destination ?? process.stdout,
  );
}
