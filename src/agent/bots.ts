// A bot's life on its VM under either supervisor. `launch.json` says which one a bot is under;
// stop works whatever started the bot, so a VM can move from one supervisor to the other.
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import path from 'node:path';
import { cmdline, isBotProcess, pidFileOf, processIndex, processStartedAt, readEnvFile, readPid, removePid, startDetached, stopProven } from './proc.js';
import { linkedUnit, lingering, parseShow, systemctl, systemctlArgv, unitName, unitState, unlinkDangling, type UnitProps } from './systemd.js';

export class AgentError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

interface Launch { argv: string[]; supervisor?: 'process' | 'systemd' }

export const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** A bot's paths under the VM root (DESIGN.md's layout). */
export function botPaths(root: string, bot: string) {
  const dir = path.join(root, 'bots', bot);
  return { dir, config: path.join(dir, 'runtime.json'), pidFile: pidFileOf(dir), unitFile: path.join(dir, unitName(bot)), log: path.join(root, 'logs', `${bot}.log`) };
}

const readLaunch = (root: string, bot: string): Launch | null => {
  try {
    return JSON.parse(readFileSync(path.join(botPaths(root, bot).dir, 'launch.json'), 'utf8')) as Launch;
  } catch {
    return null;
  }
};
const linkTarget = (link: string) => (existsSync(link) ? path.basename(readlinkSync(link)) : null);

export const deployedBots = (root: string) => (existsSync(path.join(root, 'bots')) ? readdirSync(path.join(root, 'bots')).filter((d) => NAME.test(d)).sort() : []);

/** The bot's main process, once proven to be the bot. */
interface Alive { pid: number; startedAt: string | null }

function viaPidFile(root: string, bot: string): { alive: Alive | null; recorded: boolean } {
  const p = botPaths(root, bot);
  const rec = readPid(p.pidFile);
  return { alive: rec && isBotProcess(rec, p.config) ? { pid: rec.pid, startedAt: rec.startedAt } : null, recorded: rec !== null };
}

function viaUnit(root: string, bot: string, props: UnitProps | undefined): { alive: Alive | null; unit: ReturnType<typeof unitState> } {
  if (!props) return { alive: null, unit: 'inactive' };
  const unit = unitState(props);
  const pid = Number(props.MainPID ?? 0);
  const proven = unit === 'active' && pid > 0 && cmdline(pid).includes(botPaths(root, bot).config);
  return { alive: proven ? { pid, startedAt: processStartedAt(pid) } : null, unit };
}

/** One `systemctl show` for every linked bot unit: status stays one pass, however many bots. */
function unitProps(root: string, bots: string[]): Map<string, UnitProps> {
  const linked = bots.filter((b) => linkedUnit(b) === botPaths(root, b).unitFile);
  return linked.length ? parseShow(systemctl(systemctlArgv.show(linked))) : new Map();
}

/** The status of every bot deployed under the root, from /proc, pid files and systemd. */
export function statusAll(root: string, staleMs: number): Record<string, unknown>[] {
  const bots = new Map(deployedBots(root).map((b) => [b, readLaunch(root, b)?.supervisor ?? 'process']));
  const procs = processIndex();
  const units = unitProps(root, [...bots].filter(([, s]) => s === 'systemd').map(([b]) => b));
  return [...bots].map(([bot, supervisor]) => {
    const p = botPaths(root, bot);
    const props = units.get(unitName(bot));
    const byPid = viaPidFile(root, bot);
    const byUnit = viaUnit(root, bot, props);
    const alive = byUnit.alive ?? byPid.alive;
    let heartbeat: Record<string, unknown> | null = null;
    try {
      heartbeat = JSON.parse(readFileSync(path.join(p.dir, 'run', 'status.json'), 'utf8'));
    } catch {
      // Never started, or the file is being replaced: no heartbeat to show.
    }
    const age = heartbeat?.updatedAt ? Date.now() - Date.parse(String(heartbeat.updatedAt)) : null;
    const others = (procs.get(p.config) ?? []).filter((pid) => pid !== alive?.pid);
    const crashed = byUnit.unit === 'failed' || (supervisor === 'process' && byPid.recorded && !byPid.alive);
    const state = alive
      ? others.length ? 'duplicate' : age !== null && age > staleMs ? 'stale' : 'running'
      : byUnit.unit === 'restarting' ? 'restarting' : crashed ? 'crashed' : others.length ? 'unmanaged' : 'stopped';
    return {
      bot, state, supervisor, pid: alive?.pid ?? null, startedAt: alive?.startedAt ?? null, otherPids: others,
      restarts: props ? Number(props.NRestarts ?? 0) : null,
      current: linkTarget(path.join(p.dir, 'current')), previous: linkTarget(path.join(p.dir, 'previous')), heartbeat, heartbeatAgeMs: age,
    };
  });
}

function stopUnit(bot: string): boolean {
  const props = parseShow(systemctl(systemctlArgv.show([bot]))).get(unitName(bot));
  const was = props ? unitState(props) : 'inactive';
  // systemd signals the unit's own cgroup (SIGTERM, TimeoutStopSec, then SIGKILL): never a name.
  if (was !== 'inactive') systemctl(systemctlArgv.stop(bot));
  if (was === 'failed' || was === 'restarting') systemctl(systemctlArgv.resetFailed(bot));
  // Disabled too: a bot stopped on purpose must not come back when the VM reboots.
  systemctl(systemctlArgv.disable(bot));
  return was === 'active';
}

/** Stops the bot whatever started it: its proven pid, its unit, or both. */
export async function stopBot(root: string, bot: string, graceMs: number): Promise<string> {
  const p = botPaths(root, bot);
  const rec = readPid(p.pidFile);
  let result = rec ? await stopProven(rec, p.config, graceMs) : 'not-running';
  removePid(p.pidFile);
  if (linkedUnit(bot) === p.unitFile && stopUnit(bot)) result = 'stopped';
  return result;
}

/** Whose unit file a bot's unit name links to, when it is another root's (live) bot. */
function takenBy(root: string, bot: string): string | null {
  const linked = linkedUnit(bot);
  return linked && linked !== botPaths(root, bot).unitFile && existsSync(linked) ? path.dirname(path.dirname(path.dirname(linked))) : null;
}

/** The bots whose unit names another root on this VM user already uses. */
export function unitsTaken(root: string, bots: string[]): { bot: string; root: string }[] {
  return bots.flatMap((bot) => {
    const other = takenBy(root, bot);
    return other ? [{ bot, root: other }] : [];
  });
}

function startUnit(root: string, bot: string): { pid: number; already: boolean } {
  const p = botPaths(root, bot);
  const other = takenBy(root, bot);
  if (other) throw new AgentError('E_UNIT_TAKEN', `${unitName(bot)} belongs to the root ${other}: two roots on one VM user cannot share a bot name`);
  let linked = linkedUnit(bot);
  if (linked && linked !== p.unitFile) {
    // Left by a root that was deleted by hand: nothing runs from it, so its links may go.
    unlinkDangling(bot);
    linked = null;
  }
  if (!lingering()) {
    throw new AgentError('E_LINGER', 'lingering is off for this user, so its bots would stop with the last SSH session: run `sudo loginctl enable-linger $USER` on the VM');
  }
  if (!existsSync(p.unitFile)) throw new AgentError('E_NOT_DEPLOYED', `${bot} has no unit file: deploy it first`);
  const before = viaUnit(root, bot, linked ? parseShow(systemctl(systemctlArgv.show([bot]))).get(unitName(bot)) : undefined);
  if (before.alive) return { pid: before.alive.pid, already: true };
  // Moving from `supervisor: process`: the old process goes before systemd starts the new one.
  const rec = readPid(p.pidFile);
  if (rec && isBotProcess(rec, p.config)) throw new AgentError('E_RUNNING', `${bot} runs outside systemd (pid ${rec.pid}): stop it first`);
  // systemd opens the log for append itself, but will not make its directory.
  mkdirSync(path.join(p.dir, 'run'), { recursive: true });
  mkdirSync(path.dirname(p.log), { recursive: true });
  systemctl(systemctlArgv.daemonReload());
  systemctl(systemctlArgv.enable(p.unitFile));
  systemctl(systemctlArgv.resetFailed(bot));
  systemctl(systemctlArgv.start(bot));
  const after = viaUnit(root, bot, parseShow(systemctl(systemctlArgv.show([bot]))).get(unitName(bot)));
  if (!after.alive) throw new AgentError('E_START', `${unitName(bot)} did not stay up (${after.unit}): botctl logs ${bot} says why`);
  return { pid: after.alive.pid, already: false };
}

function startProcess(root: string, bot: string, launch: Launch): { pid: number; already: boolean } {
  const p = botPaths(root, bot);
  const rec = readPid(p.pidFile);
  if (rec && isBotProcess(rec, p.config)) return { pid: rec.pid, already: true };
  // Moving from `supervisor: systemd`: its unit must neither run the bot too nor start it at boot.
  if (linkedUnit(bot) === p.unitFile) stopUnit(bot);
  mkdirSync(path.join(p.dir, 'run'), { recursive: true });
  mkdirSync(path.dirname(p.log), { recursive: true });
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? root, ...readEnvFile(path.join(p.dir, 'env')) };
  return { pid: startDetached(launch.argv, env, p.log, p.pidFile).pid, already: false };
}

/** Starts the bot under the supervisor its launch.json names. */
export function startBot(root: string, bot: string): { bot: string; pid: number; already: boolean } {
  const launch = readLaunch(root, bot);
  if (!launch) throw new AgentError('E_NOT_DEPLOYED', `${bot} has no launch.json: deploy it first`);
  return { bot, ...(launch.supervisor === 'systemd' ? startUnit(root, bot) : startProcess(root, bot, launch)) };
}

/** Removes a stopped bot's directory and its unit's links; a running bot is refused. */
export function removeBot(root: string, bot: string): { bot: string } {
  const p = botPaths(root, bot);
  const rec = readPid(p.pidFile);
  if (rec && isBotProcess(rec, p.config)) throw new AgentError('E_RUNNING', `${bot} is running: stop it first`);
  if (linkedUnit(bot) === p.unitFile) {
    if (viaUnit(root, bot, parseShow(systemctl(systemctlArgv.show([bot]))).get(unitName(bot))).alive) throw new AgentError('E_RUNNING', `${bot} is running: stop it first`);
    stopUnit(bot);
  }
  rmSync(p.dir, { recursive: true, force: true });
  return { bot };
}
