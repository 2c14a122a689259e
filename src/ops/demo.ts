import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BotctlError } from '../errors.js';
import type { Bot, Fleet, Platforms } from '../fleet/types.js';
import { DEFAULT_PLATFORMS } from '../fleet/defaults.js';
import { demoToken } from '../sim/local.js';

/** The local demo runs when the fleet has a local VM and names no platform URLs of its own. */
export function isDemo(fleet: Fleet): boolean {
  const local = Object.values(fleet.vms).some((v) => v.local);
  return local && JSON.stringify(fleet.platforms) === JSON.stringify(DEFAULT_PLATFORMS);
}

const stateFile = (fleet: Fleet) => path.join(fleet.dir, '.botctl', 'sim', 'sim.json');

export function simPlatforms(url: string): Platforms {
  return { webex: { apiBase: `${url}/v1`, wdmBase: `${url}/wdm/api/v1` }, telegram: { apiBase: url } };
}

/** Demo tokens for bots whose env var is unset, so the demo needs no account. */
export function demoEnv(bots: Bot[], env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const b of bots) if (b.token?.kind === 'env' && !out[b.token.ref]) out[b.token.ref] = demoToken(b.name);
  return out;
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

/** Starts the fleet's simulator in the background (once); returns its URL. */
export async function ensureSim(fleet: Fleet): Promise<string> {
  const have = running(fleet);
  if (have) return have.url;
  const file = stateFile(fleet);
  mkdirSync(path.dirname(file), { recursive: true });
  rmSync(file, { force: true });
  const bin = fileURLToPath(new URL('../../../bin/botctl', import.meta.url));
  const out = openSync(path.join(path.dirname(file), 'sim.log'), 'a');
  const child = spawn(process.execPath, [existsSync(bin) ? bin : path.resolve('bin/botctl'), '--file', fleet.file, 'sim', '--port', '0', '--state', file], { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    const s = running(fleet);
    if (s) return s.url;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new BotctlError('E_REMOTE', 'the simulator did not start', { hint: `see ${path.join(path.dirname(file), 'sim.log')}` });
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
