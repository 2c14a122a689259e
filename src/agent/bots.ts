// A bot's life on its VM under either supervisor. `launch.json` says which one a bot is under;
// stop works whatever started the bot, so a VM can move from one supervisor to the other.
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import path from 'node:path';
import { AgentError } from './errors.js';
import { isBotProcess, pidFileOf, processIndex, readEnvFile, readPid, removePid, startDetached, stopProven } from './proc.js';
import { linkedUnit, lingering, unitName } from './systemd.js';
import { showUnits, startUnit, stopUnit, takenBy, unitView, type Alive, type UnitView } from './units.js';

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
/** The release id a `current` or `previous` link points to; null when there is none. */
export const linkTarget = (link: string) => (existsSync(link) ? path.basename(readlinkSync(link)) : null);

export const deployedBots = (root: string) => (existsSync(path.join(root, 'bots')) ? readdirSync(path.join(root, 'bots')).filter((d) => NAME.test(d)).sort() : []);

function viaPidFile(root: string, bot: string): { alive: Alive | null; recorded: boolean } {
  const p = botPaths(root, bot);
  const rec = readPid(p.pidFile);
  return { alive: rec && isBotProcess(rec, p.config) ? { pid: rec.pid, startedAt: rec.startedAt } : null, recorded: rec !== null };
}

/**
 * Unit views for the bots systemd may run: those deployed under it, and any whose unit our link
 * made. A manager that does not answer leaves them unknown, not the whole VM unreadable.
 */
function unitViews(root: string, bots: [string, string][]): { views: Map<string, UnitView>; error: string | null } {
  const candidates = bots.filter(([b, s]) => s === 'systemd' || linkedUnit(b) === botPaths(root, b).unitFile).map(([b]) => b);
  try {
    const props = showUnits(candidates);
    return { views: new Map(candidates.map((b) => [b, unitView(b, botPaths(root, b), props.get(unitName(b)))])), error: null };
  } catch (err) {
    return { views: new Map(), error: candidates.length ? (err as Error).message : null };
  }
}

/** The status of every bot deployed under the root, from /proc, pid files and systemd. */
export function statusAll(root: string, staleMs: number): Record<string, unknown>[] {
  const bots = new Map(deployedBots(root).map((b) => [b, readLaunch(root, b)?.supervisor ?? 'process']));
  const procs = processIndex();
  const { views, error } = unitViews(root, [...bots]);
  return [...bots].map(([bot, supervisor]) => {
    const p = botPaths(root, bot);
    const view = views.get(bot);
    const byPid = viaPidFile(root, bot);
    const alive = view?.alive ?? byPid.alive;
    let heartbeat: Record<string, unknown> | null = null;
    try {
      heartbeat = JSON.parse(readFileSync(path.join(p.dir, 'run', 'status.json'), 'utf8'));
    } catch {
      // Never started, or the file is being replaced: no heartbeat to show.
    }
    const age = heartbeat?.updatedAt ? Date.now() - Date.parse(String(heartbeat.updatedAt)) : null;
    const others = (procs.get(p.config) ?? []).filter((pid) => pid !== alive?.pid);
    const unknown = supervisor === 'systemd' && !view && error !== null;
    const crashed = view?.unit === 'failed' || (supervisor === 'process' && byPid.recorded && !byPid.alive);
    // Still starting, by its own word: connecting, or retrying a start step that may heal.
    const starting = alive && heartbeat?.pid === alive.pid && heartbeat.state === 'starting';
    const state = alive
      ? others.length ? 'duplicate' : age !== null && age > staleMs ? 'stale' : starting ? 'starting' : 'running'
      : unknown ? 'unknown' : view?.unit === 'restarting' ? 'restarting' : crashed ? 'crashed' : others.length ? 'unmanaged' : 'stopped';
    const detail = unknown ? error : state === 'starting' && typeof heartbeat?.startError === 'string' ? heartbeat.startError : null;
    return {
      bot, state, supervisor, pid: alive?.pid ?? null, startedAt: alive?.startedAt ?? null, otherPids: others,
      restarts: view && supervisor === 'systemd' ? view.restarts : null,
      ...(detail && { detail }),
      current: linkTarget(path.join(p.dir, 'current')), previous: linkTarget(path.join(p.dir, 'previous')), heartbeat, heartbeatAgeMs: age,
    };
  });
}

/** The unit view of one bot, when systemd may be running it; null on a VM it never ran under. */
function unitOf(root: string, bot: string): UnitView | null {
  const p = botPaths(root, bot);
  if (readLaunch(root, bot)?.supervisor !== 'systemd' && linkedUnit(bot) !== p.unitFile) return null;
  return unitView(bot, p, showUnits([bot]).get(unitName(bot)));
}

/** Stops the bot whatever started it: its proven pid, its unit, or both. */
export async function stopBot(root: string, bot: string, graceMs: number): Promise<string> {
  const p = botPaths(root, bot);
  const rec = readPid(p.pidFile);
  let result = rec ? await stopProven(rec, p.config, graceMs) : 'not-running';
  removePid(p.pidFile);
  const view = unitOf(root, bot);
  if (view && stopUnit(bot, view)) result = 'stopped';
  return result;
}

/** The bots whose unit name another root on this VM user holds (preflight: nothing changes). */
export function unitsTaken(root: string, bots: string[]): { bot: string; root: string }[] {
  const props = showUnits(bots);
  return bots.flatMap((bot) => {
    const p = botPaths(root, bot);
    const other = takenBy(bot, p, unitView(bot, p, props.get(unitName(bot))));
    return other ? [{ bot, root: other }] : [];
  });
}

function startSystemd(root: string, bot: string): { pid: number; already: boolean } {
  const p = botPaths(root, bot);
  if (!lingering()) {
    throw new AgentError('E_LINGER', 'lingering is off for this user, so its bots would stop with the last SSH session: run `sudo loginctl enable-linger $USER` on the VM');
  }
  // Moving from `supervisor: process`: the old process goes before systemd starts the new one.
  const rec = readPid(p.pidFile);
  if (rec && isBotProcess(rec, p.config)) throw new AgentError('E_RUNNING', `${bot} runs outside systemd (pid ${rec.pid}): stop it first`);
  return startUnit(bot, p);
}

function startProcess(root: string, bot: string, launch: Launch): { pid: number; already: boolean } {
  const p = botPaths(root, bot);
  const rec = readPid(p.pidFile);
  if (rec && isBotProcess(rec, p.config)) return { pid: rec.pid, already: true };
  // Moving from `supervisor: systemd`: its unit must neither run the bot too nor start it at boot.
  const view = unitOf(root, bot);
  if (view) stopUnit(bot, view);
  mkdirSync(path.join(p.dir, 'run'), { recursive: true });
  mkdirSync(path.dirname(p.log), { recursive: true });
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? root, ...readEnvFile(path.join(p.dir, 'env')) };
  return { pid: startDetached(launch.argv, env, p.log, p.pidFile).pid, already: false };
}

/** Starts the bot under the supervisor its launch.json names. */
export function startBot(root: string, bot: string): { bot: string; pid: number; already: boolean } {
  const launch = readLaunch(root, bot);
  if (!launch) throw new AgentError('E_NOT_DEPLOYED', `${bot} has no launch.json: deploy it first`);
  return { bot, ...(launch.supervisor === 'systemd' ? startSystemd(root, bot) : startProcess(root, bot, launch)) };
}

/** Removes a stopped bot's directory and its unit's links; a running bot is refused. */
export function removeBot(root: string, bot: string): { bot: string } {
  const p = botPaths(root, bot);
  const rec = readPid(p.pidFile);
  if (rec && isBotProcess(rec, p.config)) throw new AgentError('E_RUNNING', `${bot} is running: stop it first`);
  const view = unitOf(root, bot);
  if (view?.alive) throw new AgentError('E_RUNNING', `${bot} is running: stop it first`);
  if (view) stopUnit(bot, view);
  rmSync(p.dir, { recursive: true, force: true });
  return { bot };
}
