import { botsOn } from '../fleet/resolve.js';
import type { Fleet } from '../fleet/types.js';
import { BotctlError } from '../errors.js';
import { schemas, type AgentStatus } from '../remote/agent.js';
import { mapLimit } from '../util/limit.js';
import type { FleetOps } from './fleetOps.js';

export interface BotRow {
  bot: string;
  vm: string;
  /** running, stale, restarting, crashed, stopped, duplicate, unmanaged, unknown (from the VM), or: not deployed, unreachable. */
  state: string;
  /** How often systemd restarted the bot since it was started; null under the process supervisor. */
  restarts: number | null;
  pid: number | null;
  uptimeMs: number | null;
  release: string | null;
  /** What the running process reports it loaded. */
  dependencies: Record<string, string> | null;
  /** Packages whose running version differs from fleet.yaml's: "ws 8.17.1 (fleet.yaml: 8.18.3)". */
  drift: string[];
  heartbeatAgeMs: number | null;
  connectionAgeMs: number | null;
  /** Not in fleet.yaml any more (a --prune candidate). */
  orphan: boolean;
  error?: string;
}

/** The fleet's true state: every VM at once, one agent call each. */
export async function fleetStatus(fleet: Fleet, ops: FleetOps, vmNames: string[], now = Date.now()): Promise<BotRow[]> {
  const perVm = await mapLimit(vmNames, 8, async (name) => {
    try {
      const { agent } = await ops.vm(name);
      return rowsFor(fleet, name, await agent.call('status', schemas.status, { 'stale-ms': STALE_AFTER_MS }), now);
    } catch (err) {
      if (!(err instanceof BotctlError)) throw err;
      return botsOn(fleet, name).filter((b) => b.kind === 'runtime').map((b) => ({ ...empty(b.name, name), state: 'unreachable', error: err.message }));
    }
  });
  return perVm.flat();
}

// A heartbeat is written every 5 s by default; three missed ones mean the loop is stuck.
const STALE_AFTER_MS = 15_000;

function empty(bot: string, vm: string): BotRow {
  return { bot, vm, state: 'not deployed', restarts: null, pid: null, uptimeMs: null, release: null, dependencies: null, drift: [], heartbeatAgeMs: null, connectionAgeMs: null, orphan: false };
}

function rowsFor(fleet: Fleet, vm: string, s: AgentStatus, now: number): BotRow[] {
  const wanted = botsOn(fleet, vm).filter((b) => b.kind === 'runtime');
  const seen = new Map(s.bots.map((b) => [b.bot, b]));
  const rows = wanted.map((bot): BotRow => {
    const b = seen.get(bot.name);
    if (!b || (!b.current && b.state === 'stopped')) return empty(bot.name, vm);
    const hb = b.pid !== null ? b.heartbeat : null;
    const deps = (hb?.dependencies as Record<string, string> | undefined) ?? null;
    return {
      bot: bot.name, vm, state: b.state, restarts: b.restarts, pid: b.pid,
      uptimeMs: b.startedAt ? now - Date.parse(b.startedAt) : null,
      release: (hb?.release as string | undefined) ?? b.current,
      dependencies: deps,
      drift: deps ? Object.entries(bot.dependencies).filter(([p, v]) => deps[p] !== undefined && deps[p] !== v).map(([p, v]) => `${p} ${deps[p]} (fleet.yaml: ${v})`) : [],
      heartbeatAgeMs: b.pid !== null ? b.heartbeatAgeMs : null,
      // The heartbeat says how old the connection was when it was written; add the time since.
      connectionAgeMs: typeof hb?.connectionAgeMs === 'number' ? hb.connectionAgeMs + (b.heartbeatAgeMs ?? 0) : null,
      orphan: false,
      ...(b.detail && { error: b.detail }),
    };
  });
  for (const b of s.bots) {
    if (!wanted.some((w) => w.name === b.bot)) rows.push({ ...empty(b.bot, vm), state: b.state, pid: b.pid, release: b.current, orphan: true });
  }
  return rows;
}
