import { BotctlError } from '../errors.js';
import type { Bot } from '../fleet/types.js';
import { schemas } from '../remote/agent.js';
import { mapLimit } from '../util/limit.js';
import type { FleetOps, VmHandle } from './fleetOps.js';
import { record } from './ledger.js';
import { withFleetLock } from './lock.js';
import { waitReady } from './rollout.js';

export interface ControlOptions { command: string; lockWaitMs: number; lockTtlMs: number; readyTimeoutMs: number; progress: (line: string) => void; dryRun?: boolean }

export interface ControlOutcome { bot: string; vm: string; result: string; pid: number | null }

// One wording for every command that stops or starts bots.
export const ALREADY_STOPPED = 'already stopped';
export const ALREADY_RUNNING = 'already running';
const STOPPED: Record<'stopped' | 'killed' | 'gone' | 'not-running', string> = {
  stopped: 'stopped',
  killed: 'stopped (killed: it ignored SIGTERM)',
  gone: ALREADY_STOPPED,
  'not-running': ALREADY_STOPPED,
};

/** Starts or stops bots: VMs in parallel under the fleet lock, each VM's bots one at a time. */
export async function control(ops: FleetOps, bots: Bot[], verb: 'start' | 'stop', opts: ControlOptions): Promise<ControlOutcome[]> {
  const vms = [...new Set(bots.map((b) => b.vm))].sort();
  const handles = await Promise.all(vms.map((v) => ops.vm(v)));
  // Read-only, so a dry run asks too: its plan must not promise a start that would be refused.
  if (verb === 'start') await ops.preflight(handles, bots);
  if (opts.dryRun) return (await mapLimit(handles, 8, (h) => planVm(h, bots, verb))).flat();
  return withFleetLock(handles.map((h) => ({ vm: h.vm.name, agent: h.agent })), { command: opts.command, waitMs: opts.lockWaitMs, ttlMs: opts.lockTtlMs }, async () =>
    (await mapLimit(handles, 4, async (h) => {
      const out: ControlOutcome[] = [];
      const deployed = new Map((await h.agent.call('status', schemas.status)).bots.map((b) => [b.bot, b]));
      for (const bot of bots.filter((b) => b.vm === h.vm.name)) {
        if (!deployed.get(bot.name)?.current) {
          throw new BotctlError('E_USAGE', `${bot.name} is not deployed on ${h.vm.name}`, { hint: `botctl deploy ${bot.name}` });
        }
        if (verb === 'stop') {
          const r = await h.agent.call('stop', schemas.stop, { bot: bot.name });
          const result = STOPPED[r.result];
          // The ledger explains changes: a bot that was not running was not changed.
          if (result !== ALREADY_STOPPED) await record(h.agent, { command: opts.command, vm: h.vm.name, bot: bot.name, action: 'stop', result: 'ok' });
          opts.progress(`${h.vm.name}/${bot.name}: ${result}`);
          out.push({ bot: bot.name, vm: h.vm.name, result, pid: null });
        } else {
          const r = await h.agent.call('start', schemas.start, { bot: bot.name });
          if (!r.already) {
            await waitReady(h, bot.name, r.pid, opts);
            await record(h.agent, { command: opts.command, vm: h.vm.name, bot: bot.name, action: 'start', to: deployed.get(bot.name)!.current, result: 'ok' });
          }
          opts.progress(`${h.vm.name}/${bot.name}: ${r.already ? ALREADY_RUNNING : 'started, ready'}`);
          out.push({ bot: bot.name, vm: h.vm.name, result: r.already ? ALREADY_RUNNING : 'started', pid: r.pid });
        }
      }
      return out;
    })).flat());
}

/** What start or stop would do on one VM, read from its status alone: no lock, no change. */
async function planVm(h: VmHandle, bots: Bot[], verb: 'start' | 'stop'): Promise<ControlOutcome[]> {
  const deployed = new Map((await h.agent.call('status', schemas.status)).bots.map((b) => [b.bot, b]));
  const how = h.vm.supervisor === 'systemd' ? `systemctl --user ${verb}` : verb === 'stop' ? 'SIGTERM to the proven pid' : 'detached, with a pid file';
  return bots.filter((b) => b.vm === h.vm.name).map((bot) => {
    const s = deployed.get(bot.name);
    const result = !s?.current ? 'not deployed: refused'
      : verb === 'start' ? (s.pid !== null ? ALREADY_RUNNING : `would start (${how}), then wait for ready`)
      : s.pid !== null ? `would stop (${how})`
      // systemd still holds a crash loop or a failed unit: stop ends it and clears it.
      : s.supervisor === 'systemd' && (s.state === 'restarting' || s.state === 'crashed') ? `would stop its ${s.state === 'restarting' ? 'restart loop' : 'failed unit'} (${how})`
      : s.state === 'stopped' ? ALREADY_STOPPED : `${ALREADY_STOPPED} (${s.state})`;
    return { bot: bot.name, vm: h.vm.name, result, pid: s?.pid ?? null };
  });
}
