// The agent's side of `supervisor: systemd`: user units run by the VM user's own systemd
// manager. The argv builders and the parser are pure (tested by exact equality); `systemctl`
// runs the command for real.
import { spawnSync } from 'node:child_process';
import { existsSync, readlinkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentError } from './errors.js';

/** The unit name of a bot, as `systemctl --user` knows it. */
export const unitName = (bot: string) => `botctl-${bot}.service`;

/** The properties `status` reads, in one `systemctl show` for every bot. */
export const SHOW_PROPERTIES = ['Id', 'LoadState', 'ActiveState', 'SubState', 'MainPID', 'NRestarts'] as const;

export type UnitProps = Partial<Record<(typeof SHOW_PROPERTIES)[number], string>>;

export const systemctlArgv = {
  daemonReload: () => ['--user', 'daemon-reload'],
  /** Links a unit file that lives outside the search path and makes default.target want it. */
  enable: (unitFile: string) => ['--user', 'enable', unitFile],
  disable: (bot: string) => ['--user', 'disable', unitName(bot)],
  start: (bot: string) => ['--user', 'start', unitName(bot)],
  stop: (bot: string) => ['--user', 'stop', unitName(bot)],
  resetFailed: (bot: string) => ['--user', 'reset-failed', unitName(bot)],
  show: (bots: string[]) => ['--user', 'show', `--property=${SHOW_PROPERTIES.join(',')}`, ...bots.map(unitName)],
  isSystemRunning: () => ['--user', 'is-system-running'],
};

/** Splits `systemctl show` output (one block of Key=Value lines per unit) by the unit's Id. */
export function parseShow(out: string): Map<string, UnitProps> {
  const units = new Map<string, UnitProps>();
  for (const block of out.split(/\n\s*\n/)) {
    const props: Record<string, string> = {};
    for (const line of block.split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) props[line.slice(0, eq)] = line.slice(eq + 1);
    }
    if (props.Id) units.set(props.Id, props);
  }
  return units;
}

export type UnitState = 'active' | 'restarting' | 'failed' | 'inactive';

/**
 * What a unit's states mean for its bot: `auto-restart` is a crash systemd is about to retry
 * (systemd 254 adds `auto-restart-queued`, and the brief `failed-before-auto-restart` and
 * `dead-before-auto-restart`); `failed` is a crash it gave up on, or an exit it must not retry.
 */
export function unitState(p: UnitProps): UnitState {
  const sub = p.SubState ?? '';
  if (sub.startsWith('auto-restart') || sub.endsWith('before-auto-restart')) return 'restarting';
  if (p.ActiveState === 'active' || p.ActiveState === 'reloading' || p.ActiveState === 'activating') return 'active';
  if (p.ActiveState === 'failed') return 'failed';
  return 'inactive';
}

/** The user's own manager: over SSH without pam_systemd, XDG_RUNTIME_DIR is not set for us. */
function env(): NodeJS.ProcessEnv {
  return { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR || `/run/user/${os.userInfo().uid}` };
}

/** Runs `systemctl` and returns what it said, whatever its exit status. */
export function systemctlRaw(args: string[], timeoutMs = 60_000): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('systemctl', args, { env: env(), encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) return { code: 127, stdout: '', stderr: r.error.message };
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `systemctl`; a failure carries systemctl's own last words. */
export function systemctl(args: string[], timeoutMs = 60_000): string {
  const r = systemctlRaw(args, timeoutMs);
  if (r.code !== 0) {
    const why = r.stderr.trim().split('\n').filter(Boolean).pop() ?? `exit ${r.code}`;
    throw new AgentError('E_SYSTEMD', `systemctl ${args.slice(1).join(' ')}: ${why}`);
  }
  return r.stdout;
}

/** Where `systemctl --user enable <file>` leaves its link for a bot's unit. */
export const unitLink = (bot: string) => path.join(os.homedir(), '.config', 'systemd', 'user', unitName(bot));

/** The unit file a link points to, or null when the bot's unit is not linked. */
export function linkedUnit(bot: string): string | null {
  try {
    return readlinkSync(unitLink(bot));
  } catch {
    return null;
  }
}

/** Removes the links `enable` made for a bot's unit whose file is gone. */
export function unlinkDangling(bot: string): void {
  for (const link of [unitLink(bot), path.join(path.dirname(unitLink(bot)), 'default.target.wants', unitName(bot))]) rmSync(link, { force: true });
}

/**
 * Lingering keeps the user's manager (and so the bots) running with no session open: without it
 * every bot stops when the last SSH session ends. logind records it as a file per user.
 */
export function lingering(user = os.userInfo().username): boolean {
  return existsSync(path.join('/var/lib/systemd/linger', user));
}

/** What `preflight` reports of a VM's systemd before anything changes. */
export function systemdReadiness(): { user: string; linger: boolean; manager: string } {
  const user = os.userInfo().username;
  // is-system-running exits non-zero for "degraded" too: read what it says, not its status.
  const r = systemctlRaw(systemctlArgv.isSystemRunning(), 5_000);
  const manager = r.stdout.trim() || `unreachable (${r.stderr.trim().split('\n').pop() || `exit ${r.code}`})`;
  return { user, linger: lingering(user), manager };
}
