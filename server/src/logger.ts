/**
 * The registry's one logger (pino): JSON lines on stdout, one per event, each request's lines
 * carrying its request id. Secrets never reach a line: `authorization` and `cookie` headers are
 * redacted wherever a logged object carries them.
 */
import { randomUUID } from 'node:crypto';
import pino, { type Logger } from 'pino';

export type { Logger };

export const REDACTED_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie', '*.authorization'];

/** A logger writing to stdout, or to `write` (one JSON line per call) when given. */
export function createLogger(write?: (line: string) => void): Logger {
  const options = { base: { service: 'elicense' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  if (write === undefined) return pino(options);
  return pino(options, { write: (line: string) => write(line.trimEnd()) });
}

/** A client's X-Request-Id when it is a sane token, else a fresh one: a reference for support calls. */
export function requestIdOf(header: string | undefined): string {
  return header !== undefined && /^[A-Za-z0-9._:-]{1,64}$/.test(header) ? header : randomUUID();
}
