import { RUNTIME_EXIT } from '../runtime/events.js';
import type { Bot, Vm } from '../fleet/types.js';
import { botDir, launch } from './botFiles.js';

export { unitName } from '../agent/systemd.js';

/**
 * Quotes one ExecStart word for systemd: double quotes with \\ and " escaped, and % doubled
 * (systemd expands %-specifiers everywhere in the line, even inside quotes).
 */
export function systemdQuote(arg: string): string {
  const escaped = arg.replace(/%/g, '%%');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Why a unit file cannot name this path (its other keys take no quotes), or null when it can. */
export function unitSafePath(p: string): string | null {
  return /^\/[^\s%"'\\]*$/.test(p) ? null : `a systemd unit cannot name ${JSON.stringify(p)} safely: use a root without spaces, %, quotes or backslashes`;
}

// A path systemd would misread is refused, not mangled (preflight has said so before this).
function plainPath(p: string): string {
  const why = unitSafePath(p);
  if (why) throw new TypeError(why);
  return p;
}

/**
 * The user unit that runs a bot under systemd: restarted on failure within a start limit, but
 * never on the exits a restart cannot help (bad config, lock wait timed out, token refused).
 * `node` is the absolute path the VM's agent runs on.
 */
export function unitFile(vm: Pick<Vm, 'root'>, bot: Pick<Bot, 'name' | 'http'>, node: string): string {
  const dir = botDir(vm, bot.name);
  const argv = launch({ ...vm, node, supervisor: 'systemd' }, bot.name).argv;
  const noRestart = [RUNTIME_EXIT.CONFIG, RUNTIME_EXIT.LOCK_TIMEOUT, RUNTIME_EXIT.FATAL].join(' ');
  return [
    '[Unit]',
    `Description=botctl bot ${bot.name}`,
    // No network-online.target: a user manager cannot see it. The runtime retries its connections.
    'StartLimitIntervalSec=300',
    'StartLimitBurst=5',
    '',
    '[Service]',
    // exec, not simple: `systemctl start` returns once node runs, so the agent can prove its pid.
    'Type=exec',
    `ExecStart=${argv.map(systemdQuote).join(' ')}`,
    `EnvironmentFile=${plainPath(`${dir}/env`)}`,
    `WorkingDirectory=${plainPath(dir)}`,
    'Restart=on-failure',
    'RestartSec=5',
    `RestartPreventExitStatus=${noRestart}`,
    // SIGTERM lets the runtime finish its handlers and save its cursor; it gives up before this.
    'TimeoutStopSec=20',
    `StandardOutput=append:${plainPath(`${vm.root}/logs/${bot.name}.log`)}`,
    `StandardError=append:${plainPath(`${vm.root}/logs/${bot.name}.log`)}`,
    // The pool plus the bot's other descriptors (incident 001's 6 x 50 question, per process).
    `LimitNOFILE=${Math.max(1024, bot.http.connections + 256)}`,
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}
