import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BotctlError } from '../errors.js';
import type { Bot, Fleet, Platforms } from '../fleet/types.js';
import { DEFAULT_PLATFORMS } from '../fleet/defaults.js';
import { demoToken } from '../sim/tokens.js';

/** The local demo runs when the fleet has a local VM and names no platform URLs of its own. */
export function isDemo(fleet: Fleet): boolean {
  const local = Object.values(fleet.vms).some((v) => v.local);
  return local && JSON.stringify(fleet.platforms) === JSON.stringify(DEFAULT_PLATFORMS);
}

const stateFile = (fleet: Fleet) => path.join(fleet.dir, '.botctl', 'sim', 'sim.json');

export function simPlatforms(url: string): Platforms {
  return { webex: { apiBase: `${url}/v1`, wdmBase: `${url}/wdm/api/v1` }, telegram: { apiBase: url } };
}

/**
 * What the bots of the local demo run with: the simulator's URLs and its demo tokens, never a
 * real token (the simulator knows each bot by its demo token). With `start: false` (a dry run)
 * no simulator is started: the URLs are where it runs, or will run again.
 */
export async function demoSettings(fleet: Fleet, bots: Bot[], opts: { start: boolean }): Promise<{ secrets: Map<string, string>; platforms: Platforms; url: string } | undefined> {
  if (!isDemo(fleet)) return undefined;
  const url = opts.start ? await ensureSim(fleet) : running(fleet)?.url ?? `http://127.0.0.1:${lastPort(fleet) ?? 0}`;
  return { secrets: new Map(bots.map((b) => [b.name, demoToken(b.name)])), platforms: simPlatforms(url), url };
}

const portFile = (fleet: Fleet) => path.join(fleet.dir, '.botctl', 'sim', 'port');

function lastPort(fleet: Fleet): number | null {
  try {
    return Number(readFileSync(portFile(fleet), 'utf8')) || null;
  } catch {
    return null;
  }
}

/** The fleet's simulator when it runs (its pid proven from /proc), else null. */
export function running(fleet: Fleet): { pid: number; url: string } | null {
  try {
    const s = JSON.parse(readFileSync(stateFile(fleet), 'utf8')) as { pid: number; url: string };
    // Proven like a bot: the process must still be the simulator started with this state file.
    const argv = readFileSync(`/proc/${s.pid}/cmdline`, 'utf8').split('\0');
    return argv.includes(stateFile(fleet)) ? s : null;
  } catch {
    return null;
  }
}

/**
 * Starts the fleet's simulator in the background (once); returns its URL. It takes the port it
 * had last time when it can, so bots deployed against it find it again after a `down`.
 */
export async function ensureSim(fleet: Fleet): Promise<string> {
  const have = running(fleet);
  if (have) return have.url;
  const last = lastPort(fleet);
  const url = (last && await spawnSim(fleet, last)) || await spawnSim(fleet, 0);
  if (!url) throw new BotctlError('E_REMOTE', 'the simulator did not start', { hint: `see ${path.join(path.dirname(stateFile(fleet)), 'sim.log')}` });
  writeFileSync(portFile(fleet), new URL(url).port);
  return url;
}

/** One try at starting the simulator on a port; null when it exits first (the port is taken). */
async function spawnSim(fleet: Fleet, port: number): Promise<string | null> {
  const file = stateFile(fleet);
  mkdirSync(path.dirname(file), { recursive: true });
  rmSync(file, { force: true });
  const bin = fileURLToPath(new URL('../../../bin/botctl', import.meta.url));
  const out = openSync(path.join(path.dirname(file), 'sim.log'), 'a');
  const child = spawn(process.execPath, [existsSync(bin) ? bin : path.resolve('bin/botctl'), '--file', fleet.file, 'sim', '--port', String(port), '--state', file], { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  let exited = false;
  child.once('exit', () => (exited = true));
  const until = Date.now() + 20_000;
  while (Date.now() < until && !exited) {
    const s = running(fleet);
    if (s) return s.url;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!exited) child.kill('SIGKILL');
  return null;
}

/** Stops the fleet's simulator, by its proven pid; false when none ran. */
export function stopSim(fleet: Fleet): boolean {
  const s = running(fleet);
  if (!s) return false;
  process.kill(s.pid, 'SIGTERM');
  rmSync(stateFile(fleet), { force: true });
  return true;
}

export function simUrl(fleet: Fleet): string {
  const s = running(fleet);
  if (!s) throw new BotctlError('E_USAGE', 'the simulator is not running', { hint: 'botctl up starts it with the local fleet' });
  return s.url;
}
