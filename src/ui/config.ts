import { formatDuration } from '../fleet/duration.js';
import { formatSecret } from '../fleet/resolve.js';
import type { Bot, Fleet } from '../fleet/types.js';
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

// Each setting as people read it: [name, its value for a bot].
const SETTINGS: [string, (b: Bot) => string][] = [
  ['http.connections', (b) => String(b.http.connections)],
  ['http.retries', (b) => String(b.http.retries)],
  ['http.timeout', (b) => formatDuration(b.http.timeoutMs)],
  ['websocket.pingInterval', (b) => formatDuration(b.websocket.pingIntervalMs)],
  ['websocket.pingTimeout', (b) => formatDuration(b.websocket.pingTimeoutMs)],
  ['websocket.maxConnectionAge', (b) => formatDuration(b.websocket.maxConnectionAgeMs)],
  ['catchUp.sweepInterval', (b) => formatDuration(b.catchUp.sweepIntervalMs)],
  ['catchUp.quiet', (b) => formatDuration(b.catchUp.quietMs)],
  ['audit.timeoutsPerHour', (b) => String(b.audit.timeoutsPerHour)],
  ['audit.reconnectionMax', (b) => formatDuration(b.audit.reconnectionMaxMs)],
];

/** The value most bots have, per setting: printed once, and each bot's differences beside it. */
function common(bots: Bot[]): Map<string, string> {
  return new Map(SETTINGS.map(([name, get]) => {
    const counts = new Map<string, number>();
    for (const b of bots) counts.set(get(b), (counts.get(get(b)) ?? 0) + 1);
    return [name, [...counts].sort((x, y) => y[1] - x[1])[0]?.[0] ?? '-'];
  }));
}

const versions = (b: Bot) => (b.kind === 'legacy' ? '-' : `${b.dependencies.ws ?? '-'} / ${b.dependencies.undici ?? '-'}`);

/** VMs and bots as tables that fit 100 columns; `wide` adds every setting as a column. */
export function renderConfig(fleet: Fleet, wide = false): void {
  print(`fleet: ${fleet.file}`);
  print(table(['vm', 'host', 'user', 'port', 'root', 'supervisor', 'node'], Object.values(fleet.vms).map((v) => [v.name, v.host, v.user ?? '-', v.port ?? '-', v.root, v.supervisor, v.node ?? '(PATH)'])));
  const bots = Object.values(fleet.bots);
  const runtime = bots.filter((b) => b.kind === 'runtime');
  const usual = common(runtime);
  const head = ['bot', 'vm', 'platform', 'entry / log', 'token', 'ws / undici'];
  const row = (b: Bot) => [b.name, b.vm, b.kind === 'legacy' ? `${b.platform} (legacy)` : b.platform, b.entry ? rel(fleet, b.entry) : `${b.legacy!.log} [${b.legacy!.preset}]`, b.token ? formatSecret(b.token) : '-', versions(b)];
  if (wide) {
    print(table([...head, 'other packages', ...SETTINGS.map(([n]) => n.split('.')[1]!)], bots.map((b) => [
      ...row(b), others(b) || '-', ...SETTINGS.map(([n, get]) => (b.kind === 'legacy' && !n.startsWith('audit.') ? '-' : get(b))),
    ])));
    return;
  }
  print(table(head, bots.map(row)));
  if (!runtime.length) return;
  const lines: [string, string][] = ['http', 'websocket', 'catchUp', 'audit'].map((group) => [group, SETTINGS.filter(([n]) => n.startsWith(`${group}.`)).map(([n]) => `${n.slice(group.length + 1)} ${usual.get(n)}`).join(', ')]);
  for (const b of runtime) {
    const diff = [...SETTINGS.filter(([n, get]) => get(b) !== usual.get(n)).map(([n, get]) => `${n} ${get(b)}`), ...(others(b) ? [others(b)] : [])];
    if (diff.length) lines.push([b.name, diff.join(', ')]);
  }
  const width = Math.max(...lines.map(([k]) => k.length));
  print(`settings (every bot, but where a bot is named):\n${lines.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}`);
}

/** Packages beyond ws and undici a bot pins. */
function others(b: Bot): string {
  return Object.entries(b.dependencies).filter(([p]) => p !== 'ws' && p !== 'undici').map(([p, v]) => `${p} ${v}`).join(', ');
}
function rel(fleet: Fleet, p: string): string {
  return p.startsWith(`${fleet.dir}/`) ? p.slice(fleet.dir.length + 1) : p;
}
