import { formatDuration } from '../fleet/duration.js';
import { formatSecret } from '../fleet/resolve.js';
import type { Fleet } from '../fleet/types.js';
import { print, table } from './output.js';

/** The resolved fleet for scripts; secrets stay references (their values are never read here). */
export function configJson(fleet: Fleet): unknown {
  return {
    file: fleet.file,
    vms: fleet.vms,
    bots: Object.fromEntries(
      Object.entries(fleet.bots).map(([name, bot]) => [name, { ...bot, ...(bot.token && { token: formatSecret(bot.token) }) }]),
    ),
  };
}

export function renderConfig(fleet: Fleet): void {
  print(`fleet: ${fleet.file}`);
  print(
    table(
      ['vm', 'host', 'user', 'port', 'root', 'supervisor', 'node'],
      Object.values(fleet.vms).map((v) => [v.name, v.host, v.user ?? '-', v.port ?? '-', v.root, v.supervisor, v.node ?? '(PATH)']),
    ),
  );
  print(
    table(
      ['bot', 'vm', 'platform', 'entry / log', 'token', 'dependencies', 'http pool/retries/timeout', 'ws ping/pong/max age', 'audit max t/h, reconnect'],
      Object.values(fleet.bots).map((b) => [
        b.name,
        b.vm,
        b.kind === 'legacy' ? `${b.platform} (legacy)` : b.platform,
        b.entry ? rel(fleet, b.entry) : `${b.legacy!.log} [${b.legacy!.preset}]`,
        b.token ? formatSecret(b.token) : '-',
        Object.entries(b.dependencies).map(([p, v]) => `${p} ${v}`).join(', ') || '-',
        b.kind === 'legacy' ? '-' : `${b.http.connections} / ${b.http.retries} / ${formatDuration(b.http.timeoutMs)}`,
        b.kind === 'legacy'
          ? '-'
          : [b.websocket.pingIntervalMs, b.websocket.pingTimeoutMs, b.websocket.maxConnectionAgeMs].map(formatDuration).join(' / '),
        `${b.audit.timeoutsPerHour} / ${formatDuration(b.audit.reconnectionMaxMs)}`,
      ]),
    ),
  );
}

function rel(fleet: Fleet, p: string): string {
  return p.startsWith(`${fleet.dir}/`) ? p.slice(fleet.dir.length + 1) : p;
}
