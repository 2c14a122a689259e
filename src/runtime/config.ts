import { readFileSync } from 'node:fs';
// zod/mini, bundled into this one file at build time (scripts/vendor.ts): the full zod would add
// ~4 MB to every bot process for a check that runs once at start.
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

const ms = z.number().check(z.int(), z.minimum(0));
const int = (min: number, max?: number) => z.number().check(z.int(), z.minimum(min), ...(max === undefined ? [] : [z.maximum(max)]));
const def = <T extends z.ZodMiniType>(schema: T, value: z.output<T>) => z._default(schema, value as never);
const section = <T extends z.ZodMiniType>(schema: T) => z.prefault(schema, {} as never);

/** What the CLI writes for a bot process (durations in ms); validated at start. */
export const runtimeConfigSchema = z.strictObject({
  bot: z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,62}$/)),
  platform: z.enum(['webex', 'telegram']),
  /** Absolute path of the bot module (its default export is a defineBot() result). */
  entry: z.string(),
  release: def(z.string(), 'dev'),
  dependencies: def(z.record(z.string(), z.string()), {}),
  /** run/ directory: lock, state (confirmed position, handled ids) and status.json. */
  runDir: z.string(),
  /** JSON-lines log; omitted means stdout. */
  logFile: z.optional(z.string()),
  log: section(z.strictObject({ maxBytes: def(int(1024), 10 * 1024 * 1024), keep: def(int(1), 5) })),
  /** Name of the environment variable holding the token (the env file sets it). */
  tokenEnv: def(z.string(), 'BOTCTL_TOKEN'),
  http: section(z.strictObject({
    connections: def(int(1), 50),
    retries: def(int(0), 3),
    timeoutMs: def(ms, 120_000),
    backoffBaseMs: def(ms, 500),
    backoffMaxMs: def(ms, 30_000),
  })),
  websocket: section(z.strictObject({
    pingIntervalMs: def(ms, 10_000),
    pingTimeoutMs: def(ms, 5_000),
    maxConnectionAgeMs: def(ms, 12 * 3_600_000),
    connectTimeoutMs: def(ms, 10_000),
    backoffBaseMs: def(ms, 500),
    backoffMaxMs: def(ms, 30_000),
    /** How long an old socket may take to close before it is terminated. */
    closeTimeoutMs: def(ms, 1_000),
  })),
  catchUp: section(z.strictObject({
    /** A socket quiet this long triggers a catch-up (incident 002). */
    quietMs: def(ms, 60_000),
    /** A pass over REST this often, whatever the socket does (issue 11). */
    sweepMs: def(int(100), 15_000),
    /** A message younger than this may still come over the socket: a sweep leaves it be. */
    graceMs: def(ms, 5_000),
    /** Rooms listed per pass (most recently active first); a full page confirms nothing. */
    rooms: def(int(1, 1000), 100),
    pageSize: def(int(1, 1000), 50),
  })),
  handler: section(z.strictObject({ timeoutMs: def(ms, 60_000), attempts: def(int(1), 3) })),
  lock: section(z.strictObject({ waitMs: def(ms, 30_000) })),
  heartbeatMs: def(ms, 5_000),
  shutdownGraceMs: def(ms, 10_000),
  telegram: section(z.strictObject({
    apiBase: def(z.string(), 'https://api.telegram.org'),
    /** getUpdates long-poll timeout, in seconds (Telegram's unit). */
    pollTimeoutS: def(int(0, 50), 30),
    conflictBackoffBaseMs: def(ms, 1_000),
    conflictBackoffMaxMs: def(ms, 30_000),
    /** Conflicts less than this apart are one episode (the backoff keeps growing). */
    conflictWindowMs: def(ms, 120_000),
  })),
  webex: section(z.strictObject({
    apiBase: def(z.string(), 'https://webexapis.com/v1'),
    wdmBase: def(z.string(), 'https://wdm-a.wbx2.com/wdm/api/v1'),
    deviceName: z.optional(z.string()),
  })),
});

/** A validated runtime configuration. */
export type RuntimeConfig = z.output<typeof runtimeConfigSchema>;

/** Reads and validates a runtime config file; throws with every problem listed. */
export function loadRuntimeConfig(file: string): RuntimeConfig {
  const parsed = runtimeConfigSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new Error(`invalid runtime config ${file}:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
