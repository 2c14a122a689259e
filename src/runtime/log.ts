import path from 'node:path';
import { pino, type Logger } from 'pino';
import { createStream } from 'rotating-file-stream';
import type { EventName } from './events.js';

/** The runtime's logger: one method per contract event, secrets scrubbed from every field. */
export interface EventLog {
  info(event: EventName, fields?: Record<string, unknown>): void;
  warn(event: EventName, fields?: Record<string, unknown>): void;
  error(event: EventName, fields?: Record<string, unknown>): void;
  /** Flushes buffered lines; call before exit. */
  flush(): Promise<void>;
}

export interface LogOptions {
  file?: string;
  maxBytes: number;
  keep: number;
  /** Strings that must never reach the log (tokens). */
  secrets: string[];
  base: Record<string, unknown>;
}

/** JSON lines via pino; a file log rotates by size and gzips the rotated files. */
export function createEventLog(opts: LogOptions): EventLog {
  const stream = opts.file
    ? createStream((time, index) => (time ? `${path.basename(opts.file!)}.${index}.gz` : path.basename(opts.file!)), {
        path: path.dirname(opts.file),
        size: `${Math.max(1, Math.floor(opts.maxBytes / 1024))}K`,
        maxFiles: opts.keep,
        compress: 'gzip',
      })
    : undefined;
  const logger: Logger = pino(
    { base: opts.base, timestamp: pino.stdTimeFunctions.isoTime, messageKey: 'msg', formatters: { level: (label) => ({ level: label }) } },
    stream ?? pino.destination({ fd: 1, sync: true }),
  );
  const secrets = opts.secrets.filter((s) => s.length >= 4);
  const write = (level: 'info' | 'warn' | 'error') => (event: EventName, fields: Record<string, unknown> = {}) => {
    logger[level]({ event, ...(scrub(fields, secrets) as object) });
  };
  return {
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    flush: () =>
      new Promise<void>((resolve) => {
        if (!stream) return resolve();
        stream.end(() => resolve());
      }),
  };
}

/** Replaces every secret inside any string of a value (errors become their message). */
export function scrub(value: unknown, secrets: string[]): unknown {
  if (typeof value === 'string') return secrets.reduce((s, secret) => s.split(secret).join('[REDACTED]'), value);
  if (value instanceof Error) return scrub(value.message, secrets);
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, /authorization|token/i.test(k) ? '[REDACTED]' : scrub(v, secrets)]));
  }
  return value;
}
