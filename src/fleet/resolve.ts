import path from 'node:path';
import { DEFAULT_AUDIT, DEFAULT_CATCHUP, DEFAULT_DEPENDENCIES, DEFAULT_HTTP, DEFAULT_KEEP_RELEASES, DEFAULT_PLATFORMS, DEFAULT_WEBSOCKET } from './defaults.js';
import type { FleetParsed } from './schema.js';
import type { Bot, Fleet, SecretRef, Vm } from './types.js';

/** Applies built-in defaults, then the fleet's defaults, then each bot's own settings. */
export function resolveFleet(f: FleetParsed, file: string): Fleet {
  const dir = path.dirname(file);
  const d = f.defaults ?? {};
  const vms: Record<string, Vm> = {};
  for (const [name, v] of Object.entries(f.vms)) {
    const local = v.host === 'local';
    vms[name] = {
      name,
      host: v.host,
      local,
      ...(v.user !== undefined && { user: v.user }),
      ...(v.port !== undefined && { port: v.port }),
      root: local ? path.resolve(dir, v.root) : v.root,
      ...(v.node !== undefined && { node: v.node }),
      // systemd cannot be assumed on a laptop or in CI; the pid-file supervisor works everywhere.
      supervisor: v.supervisor ?? (local ? 'process' : 'systemd'),
      keepReleases: v.releases?.keep ?? DEFAULT_KEEP_RELEASES,
    };
  }
  const bots: Record<string, Bot> = {};
  for (const [name, b] of Object.entries(f.bots)) {
    const http = { ...d.http, ...b.http };
    const ws = { ...d.websocket, ...b.websocket };
    const audit = { ...d.audit, ...b.audit };
    const catchUp = { ...d.catchUp, ...b.catchUp };
    bots[name] = {
      name,
      vm: b.vm,
      platform: b.platform,
      kind: b.legacy ? 'legacy' : 'runtime',
      ...(b.entry !== undefined && { entry: path.resolve(dir, b.entry) }),
      ...(b.token !== undefined && { token: parseSecret(b.token, dir) }),
      ...(b.legacy && { legacy: b.legacy }),
      dependencies: b.legacy ? {} : { ...DEFAULT_DEPENDENCIES, ...d.dependencies, ...b.dependencies },
      http: {
        connections: http.connections ?? DEFAULT_HTTP.connections,
        retries: http.retries ?? DEFAULT_HTTP.retries,
        timeoutMs: http.timeout ?? DEFAULT_HTTP.timeoutMs,
      },
      websocket: {
        pingIntervalMs: ws.pingInterval ?? DEFAULT_WEBSOCKET.pingIntervalMs,
        pingTimeoutMs: ws.pingTimeout ?? DEFAULT_WEBSOCKET.pingTimeoutMs,
        maxConnectionAgeMs: ws.maxConnectionAge ?? DEFAULT_WEBSOCKET.maxConnectionAgeMs,
      },
      catchUp: {
        sweepIntervalMs: catchUp.sweepInterval ?? DEFAULT_CATCHUP.sweepIntervalMs,
        quietMs: catchUp.quiet ?? DEFAULT_CATCHUP.quietMs,
      },
      audit: {
        timeoutsPerHour: audit.timeoutsPerHour ?? DEFAULT_AUDIT.timeoutsPerHour,
        reconnectionMaxMs: audit.reconnectionMax ?? DEFAULT_AUDIT.reconnectionMaxMs,
      },
    };
  }
  const platforms = { webex: f.platforms?.webex ?? DEFAULT_PLATFORMS.webex, telegram: f.platforms?.telegram ?? DEFAULT_PLATFORMS.telegram };
  return { file, dir, vms, bots, platforms };
}

export function parseSecret(text: string, dir: string): SecretRef {
  const [kind, ...rest] = text.split(':');
  const ref = rest.join(':');
  return kind === 'env' ? { kind: 'env', ref } : { kind: 'file', ref: path.resolve(dir, ref) };
}

export function formatSecret(s: SecretRef): string {
  return `${s.kind}:${s.ref}`;
}

/** The bots placed on one VM, in fleet order. */
export function botsOn(fleet: Fleet, vm: string): Bot[] {
  return Object.values(fleet.bots).filter((b) => b.vm === vm);
}
