/** The validated, defaults-applied fleet the rest of botctl trusts. Durations are milliseconds. */
export interface Fleet {
  /** Absolute path of the fleet file. */
  file: string;
  /** Its directory: relative entries and local roots resolve against it. */
  dir: string;
  vms: Record<string, Vm>;
  bots: Record<string, Bot>;
  platforms: Platforms;
}

export interface Platforms {
  webex: { apiBase: string; wdmBase: string };
  telegram: { apiBase: string };
}

export type Supervisor = 'systemd' | 'process';

export interface Vm {
  name: string;
  /** "local" runs on this machine through execa; anything else is reached over SSH. */
  host: string;
  local: boolean;
  user?: string;
  port?: number;
  /** Absolute. */
  root: string;
  node?: string;
  supervisor: Supervisor;
  keepReleases: number;
}

export interface SecretRef {
  kind: 'env' | 'file';
  /** Variable name, or an absolute path for file secrets. */
  ref: string;
}

export interface HttpSettings { connections: number; retries: number; timeoutMs: number }
export interface WebsocketSettings { pingIntervalMs: number; pingTimeoutMs: number; maxConnectionAgeMs: number }
export interface AuditSettings { timeoutsPerHour: number; reconnectionMaxMs: number }
export interface CatchUpSettings { sweepIntervalMs: number; quietMs: number }

export interface Bot {
  name: string;
  vm: string;
  platform: 'webex' | 'telegram';
  /** runtime: runs on src/runtime and is deployed by botctl; legacy: only its log is read. */
  kind: 'runtime' | 'legacy';
  /** Absolute path of the bot module (runtime bots). */
  entry?: string;
  token?: SecretRef;
  legacy?: { log: string; preset: 'webex-python' | 'telegram-python' };
  dependencies: Record<string, string>;
  http: HttpSettings;
  websocket: WebsocketSettings;
  catchUp: CatchUpSettings;
  audit: AuditSettings;
}

export interface Problem {
  path: (string | number)[];
  message: string;
  /** Point at the key rather than its value (unknown keys, bad names). */
  atKey?: boolean;
}
