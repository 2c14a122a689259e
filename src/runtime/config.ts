import { readFileSync } from 'node:fs';
import { z } from 'zod';

const ms = z.number().int().min(0);

/** What the CLI writes for a bot process (durations in ms); validated at start. */
export const runtimeConfigSchema = z.strictObject({
  bot: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/),
  platform: z.enum(['webex', 'telegram']),
  /** Absolute path of the bot module (its default export is a defineBot() result). */
  entry: z.string(),
  release: z.string().default('dev'),
  dependencies: z.record(z.string(), z.string()).default({}),
  /** run/ directory: lock, state (cursor, recent ids) and status.json. */
  runDir: z.string(),
  /** JSON-lines log; omitted means stdout. */
  logFile: z.string().optional(),
  log: z.strictObject({ maxBytes: z.number().int().min(1024).default(10 * 1024 * 1024), keep: z.number().int().min(1).default(5) }).prefault({}),
  /** Name of the environment variable holding the token (the env file sets it). */
  tokenEnv: z.string().default('BOTCTL_TOKEN'),
  http: z.strictObject({
    connections: z.number().int().min(1).default(50),
    retries: z.number().int().min(0).default(3),
    timeoutMs: ms.default(120_000),
    backoffBaseMs: ms.default(500),
    backoffMaxMs: ms.default(30_000),
  }).prefault({}),
  websocket: z.strictObject({
    pingIntervalMs: ms.default(10_000),
    pingTimeoutMs: ms.default(5_000),
    maxConnectionAgeMs: ms.default(12 * 3_600_000),
    connectTimeoutMs: ms.default(10_000),
    backoffBaseMs: ms.default(500),
    backoffMaxMs: ms.default(30_000),
    /** How long an old socket may take to close before it is terminated. */
    closeTimeoutMs: ms.default(1_000),
  }).prefault({}),
  catchUp: z.strictObject({
    /** A socket quiet this long triggers a catch-up (incident 002). */
    quietMs: ms.default(60_000),
    /** A pass over REST this often, whatever the socket does (issue 11). */
    sweepMs: ms.min(100).default(15_000),
    /** A message younger than this may still come over the socket: a sweep leaves it be. */
    graceMs: ms.default(5_000),
    /** Rooms listed per pass (most recently active first); a full page confirms nothing. */
    rooms: z.number().int().min(1).max(1000).default(100),
    pageSize: z.number().int().min(1).max(1000).default(50),
  }).prefault({}),
  handler: z.strictObject({ timeoutMs: ms.default(60_000), attempts: z.number().int().min(1).default(3) }).prefault({}),
  lock: z.strictObject({ waitMs: ms.default(30_000) }).prefault({}),
  heartbeatMs: ms.default(5_000),
  shutdownGraceMs: ms.default(10_000),
  telegram: z.strictObject({
    apiBase: z.string().default('https://api.telegram.org'),
    /** getUpdates long-poll timeout, in seconds (Telegram's unit). */
    pollTimeoutS: z.number().int().min(0).max(50).default(30),
    conflictBackoffBaseMs: ms.default(1_000),
    conflictBackoffMaxMs: ms.default(30_000),
    /** Conflicts less than this apart are one episode (the backoff keeps growing). */
    conflictWindowMs: ms.default(120_000),
  }).prefault({}),
  webex: z.strictObject({
    apiBase: z.string().default('https://webexapis.com/v1'),
    wdmBase: z.string().default('https://wdm-a.wbx2.com/wdm/api/v1'),
    deviceName: z.string().optional(),
  }).prefault({}),
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
