import { z } from 'zod';
import { DURATION_PATTERN, durationError, parseDuration } from './duration.js';

/** Names end up in paths, unit names and log file names on the VM, so they stay this plain. */
export const NAME_PATTERN = '^[a-z0-9][a-z0-9_-]{0,62}$';
export const NAME_RE = new RegExp(NAME_PATTERN);
const nameRule = 'names use a-z, 0-9, "_" and "-", start with a letter or digit, at most 63 characters';

const duration = z
  .string({ error: (iss) => (typeof iss.input === 'number' ? `${iss.input} has no unit: write a unit, e.g. ${iss.input}s (units: ms, s, m, h, d)` : 'expected a duration such as 10s') })
  .regex(new RegExp(DURATION_PATTERN), { error: (iss) => durationError(String(iss.input)) })
  .transform((s) => parseDuration(s)!)
  .meta({ description: 'a number and a unit: 250ms, 10s, 2m, 12h, 1d' });

/** Secrets are named, never written here: env:NAME (operator's environment) or file:path. */
export const SECRET_PATTERN = '^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$';
const secret = z
  .string()
  .regex(new RegExp(SECRET_PATTERN), {
    error: 'a secret is given by reference, never by value: env:NAME or file:path',
  })
  .meta({ description: 'env:NAME or file:path' });

// Exact versions only: a range would let two deploys of the same fleet.yaml run different code.
const version = z
  .string({
    // ws: 14.2 is a number to YAML, and an exact version has three parts anyway.
    error: (iss) => (typeof iss.input === 'number' ? `${iss.input} is read as a number: quote the version and give all three parts, e.g. "${Number.isInteger(iss.input) ? `${iss.input}.0.0` : `${iss.input}.0`}"` : 'expected an exact version such as 8.18.3'),
  })
  .regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, { error: 'expected an exact version such as 8.18.3 (no ranges)' });
const packageName = z.string().regex(/^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/, { error: 'not an npm package name' });
const dependencies = z.record(packageName, version).meta({ description: 'npm package -> exact version' });

const http = z.strictObject({
  connections: z.int().min(1).max(1024).optional().meta({ description: 'size of the one shared HTTP pool' }),
  retries: z.int().min(0).max(20).optional(),
  timeout: duration.optional().meta({ description: 'per-request timeout' }),
});
const websocket = z.strictObject({
  pingInterval: duration.optional(),
  pingTimeout: duration.optional(),
  maxConnectionAge: duration.optional(),
});
const audit = z.strictObject({
  timeoutsPerHour: z.number().min(0).optional().meta({ description: 'a bot passes while its rate is below this' }),
  reconnectionMax: duration.optional(),
});

const catchUp = z.strictObject({
  sweepInterval: duration.optional().meta({ description: 'a pass over REST this often, whatever the socket does (Webex)' }),
  quiet: duration.optional().meta({ description: 'a socket quiet this long triggers a pass at once' }),
});

const settings = { dependencies: dependencies.optional(), http: http.optional(), websocket: websocket.optional(), catchUp: catchUp.optional(), audit: audit.optional() };

const vm = z.strictObject({
  host: z.string().min(1).meta({ description: '"local" for this machine, else an ~/.ssh/config alias or host name' }),
  user: z.string().regex(/^[a-z_][a-z0-9_.-]*\$?$/i, { error: 'not a user name' }).optional(),
  port: z.int().min(1).max(65535).optional(),
  root: z.string().min(1).meta({ description: 'everything botctl writes lives under it; absolute, or relative to fleet.yaml for a local VM' }),
  node: z.string().optional().meta({ description: 'node binary on the VM; default: the one a non-interactive shell finds' }),
  supervisor: z.enum(['systemd', 'process']).optional(),
  releases: z.strictObject({ keep: z.int().min(1).max(100) }).optional(),
});

const legacy = z.strictObject({
  log: z.string().min(1).meta({ description: 'the log file on the VM' }),
  preset: z.enum(['webex-python', 'telegram-python']).meta({ description: 'which log patterns mean timeout, reconnect, ...' }),
});

const bot = z.strictObject({
  vm: z.string(),
  platform: z.enum(['webex', 'telegram']),
  entry: z.string().optional().meta({ description: 'the bot module, relative to fleet.yaml' }),
  token: secret.optional(),
  legacy: legacy.optional().meta({ description: 'a bot that does not run on the botctl runtime; audits read its log' }),
  ...settings,
});

const platforms = z.strictObject({
  webex: z.strictObject({ apiBase: z.url(), wdmBase: z.url() }).optional(),
  telegram: z.strictObject({ apiBase: z.url() }).optional(),
}).meta({ description: 'platform API base URLs (default: the real ones); point them at `botctl sim` or a proxy' });

export const fleetSchema = z.strictObject({
  $schema: z.string().optional(),
  platforms: platforms.optional(),
  vms: z.record(z.string(), vm),
  defaults: z.strictObject(settings).optional(),
  bots: z.record(z.string(), bot),
});

export type FleetInput = z.input<typeof fleetSchema>;
export type FleetParsed = z.output<typeof fleetSchema>;
export { nameRule };
