// A bot under `supervisor: systemd`. systemd knows a unit by its name alone, and a unit stays
// loaded and running after its link is removed, so a unit is judged by what systemd reports and
// by the pid it runs (proven from /proc), never by the link alone.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { AgentError } from './errors.js';
import { cmdline, processStartedAt } from './proc.js';
import { linkedUnit, parseShow, systemctl, systemctlArgv, unitName, unitState, unlinkDangling, type UnitProps, type UnitState } from './systemd.js';

/** The paths of a bot the unit code needs. */
export interface UnitPaths { config: string; unitFile: string; dir: string; log: string }

/** The bot's main process, once proven to be the bot. */
export interface Alive { pid: number; startedAt: string | null }

export interface UnitView {
  unit: UnitState;
  /** Our bot's process, proven from its command line (it names our runtime.json). */
  alive: Alive | null;
  /** The unit's link points at this root's unit file. */
  linkedHere: boolean;
  /** The unit runs a process that is not this root's bot (another root's bot of the same name). */
  foreign: { pid: number; root: string } | null;
  restarts: number;
}

/** What systemd says of these bots' units, in one `systemctl show`. */
export function showUnits(bots: string[]): Map<string, UnitProps> {
  return bots.length ? parseShow(systemctl(systemctlArgv.show(bots))) : new Map();
}

export function unitView(bot: string, p: UnitPaths, props: UnitProps | undefined): UnitView {
  const linkedHere = linkedUnit(bot) === p.unitFile;
  const state = props ? unitState(props) : 'inactive';
  const pid = Number(props?.MainPID ?? 0);
  const argv = state === 'active' && pid > 0 ? cmdline(pid) : [];
  const proven = argv.includes(p.config);
  // A crash loop cannot be proven by pid (there is none): it is ours only if our link made it.
  const unit = state === 'active' || linkedHere ? state : 'inactive';
  const other = argv.find((a) => a.endsWith('/runtime.json'));
  return {
    unit,
    alive: proven ? { pid, startedAt: processStartedAt(pid) } : null,
    linkedHere,
    foreign: state === 'active' && pid > 0 && !proven && !linkedHere ? { pid, root: other ? path.dirname(path.dirname(path.dirname(other))) : `pid ${pid}` } : null,
    restarts: Number(props?.NRestarts ?? 0),
  };
}

/** Whose unit file the bot's unit name links to, when another root's file exists there. */
function linkedElsewhere(bot: string, p: UnitPaths): string | null {
  const linked = linkedUnit(bot);
  return linked && linked !== p.unitFile && existsSync(linked) ? path.dirname(path.dirname(path.dirname(linked))) : null;
}

/** The other root that holds the bot's unit name, by its link or by the process it runs. */
export function takenBy(bot: string, p: UnitPaths, view: UnitView): string | null {
  return linkedElsewhere(bot, p) ?? view.foreign?.root ?? null;
}

/**
 * Stops the unit if it runs our bot (or crash-loops from our link), clears a failed state and
 * disables it: a bot stopped on purpose must not come back when the VM reboots. systemd
 * signals the unit's own cgroup (SIGTERM, TimeoutStopSec, then SIGKILL), never a name.
 */
export function stopUnit(bot: string, view: UnitView): boolean {
  if (view.alive || (view.linkedHere && view.unit !== 'inactive')) systemctl(systemctlArgv.stop(bot));
  if (view.linkedHere && (view.unit === 'failed' || view.unit === 'restarting')) systemctl(systemctlArgv.resetFailed(bot));
  if (view.linkedHere) systemctl(systemctlArgv.disable(bot));
  return view.alive !== null;
}

/**
 * Starts the bot's unit from this root's unit file: linked and enabled, then started. The
 * caller has checked lingering and that no process of the bot runs outside systemd.
 */
export function startUnit(bot: string, p: UnitPaths): { pid: number; already: boolean } {
  const view = unitView(bot, p, showUnits([bot]).get(unitName(bot)));
  if (view.alive) return { pid: view.alive.pid, already: true };
  const other = takenBy(bot, p, view);
  if (other) throw new AgentError('E_UNIT_TAKEN', `${unitName(bot)} belongs to the root ${other}: two roots on one VM user cannot share a bot name`);
  if (!existsSync(p.unitFile)) throw new AgentError('E_NOT_DEPLOYED', `${bot} has no unit file: deploy it first`);
  // A link left by a root that was deleted by hand: nothing runs from it (checked above).
  if (linkedUnit(bot) && !view.linkedHere) unlinkDangling(bot);
  // systemd opens the log for append itself, but will not make its directory.
  mkdirSync(path.join(p.dir, 'run'), { recursive: true });
  mkdirSync(path.dirname(p.log), { recursive: true });
  systemctl(systemctlArgv.daemonReload());
  systemctl(systemctlArgv.enable(p.unitFile));
  systemctl(systemctlArgv.resetFailed(bot));
  // Type=exec: start returns once node runs, so its command line already proves it.
  systemctl(systemctlArgv.start(bot));
  const after = unitView(bot, p, showUnits([bot]).get(unitName(bot)));
  if (!after.alive) throw new AgentError('E_START', `${unitName(bot)} did not stay up (${after.unit}): botctl logs ${bot} says why`);
  return { pid: after.alive.pid, already: false };
}
