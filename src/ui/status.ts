import { formatDuration } from '../fleet/duration.js';
import { BotctlError } from '../errors.js';
import type { BotRow } from '../ops/status.js';
import { chalk, print, printJson, table } from './output.js';

const COLOUR: Record<string, (s: string) => string> = {
  running: chalk.green, starting: chalk.yellow, stale: chalk.yellow, restarting: chalk.yellow, unknown: chalk.yellow, crashed: chalk.red, duplicate: chalk.red, unmanaged: chalk.red, unreachable: chalk.red,
};

// Durations for people: "3h12m", "45s"; nothing when unknown.
function age(ms: number | null): string {
  if (ms === null) return '-';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${s % 60}s` : formatDuration(Math.floor(m / 60) * 3_600_000) + `${m % 60}m`;
}

const state = (r: BotRow) => (COLOUR[r.state] ?? ((s: string) => s))(r.state) + (r.restarts ? ` (${r.restarts} restart${r.restarts === 1 ? '' : 's'})` : '');
const botName = (r: BotRow) => (r.orphan ? `${r.bot} (not in fleet.yaml)` : r.bot);

/**
 * Prints status rows (or JSON); an unreachable VM makes the exit status 3 after printing. The
 * table fits 100 columns: drift is a mark and a line below it; `wide` gives it columns.
 */
export function renderStatus(rows: BotRow[], json: boolean, wide = false): void {
  if (json) printJson(rows);
  else if (wide) {
    print(table(
      ['bot', 'vm', 'state', 'pid', 'uptime', 'release', 'running', 'drift', 'heartbeat', 'connection'],
      rows.map((r) => [
        botName(r), r.vm, state(r), r.pid ?? '-', age(r.uptimeMs), r.release ?? '-',
        r.dependencies ? Object.entries(r.dependencies).map(([p, v]) => `${p} ${v}`).join(', ') : '-',
        r.drift.join('\n') || '-', age(r.heartbeatAgeMs), age(r.connectionAgeMs),
      ]),
    ));
  } else {
    const v = (r: BotRow, p: string) => `${r.dependencies?.[p] ?? '-'}${r.drift.some((d) => d.startsWith(`${p} `)) ? '*' : ''}`;
    print(table(
      ['bot', 'vm', 'state', 'pid', 'uptime', 'release', 'ws / undici', 'beat', 'conn age'],
      rows.map((r) => [botName(r), r.vm, state(r), r.pid ?? '-', age(r.uptimeMs), r.release ?? '-', r.dependencies ? `${v(r, 'ws')} / ${v(r, 'undici')}` : '-', age(r.heartbeatAgeMs), age(r.connectionAgeMs)]),
    ));
    for (const r of rows.filter((x) => x.drift.length)) print(`* ${r.bot} runs ${r.drift.join(', ')}: \`botctl deploy ${r.bot}\` applies fleet.yaml`);
  }
  // A VM that answered but whose systemd did not: say why once per VM, below the table.
  if (!json) {
    for (const [vm, why] of new Map(rows.filter((r) => r.state === 'unknown' && r.error).map((r) => [r.vm, r.error!]))) process.stderr.write(`${vm}: state unknown: ${why}\n`);
    // A bot retrying its start (the platform unreachable, say): what it is waiting on.
    for (const r of rows.filter((x) => x.state === 'starting' && x.error)) print(`${r.bot} is starting, retrying: ${r.error}`);
  }
  const down = [...new Set(rows.filter((r) => r.state === 'unreachable').map((r) => r.vm))];
  if (down.length) {
    throw new BotctlError('E_UNREACHABLE', `cannot reach ${down.join(', ')}: ${rows.find((r) => r.state === 'unreachable')!.error}`, { hint: 'botctl doctor --vm ' + down[0] });
  }
}
