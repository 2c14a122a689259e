import { BotctlError } from '../errors.js';
import type { Fleet } from '../fleet/types.js';
import { schemas, type LeaseView } from '../remote/agent.js';
import { mapLimit } from '../util/limit.js';
import type { FleetOps } from './fleetOps.js';
import { record } from './ledger.js';

/** Ledger entries from every VM involved (or the bot's VM), oldest first. */
export async function history(fleet: Fleet, ops: FleetOps, bot: string | undefined, limit: number): Promise<Record<string, unknown>[]> {
  const vms = bot ? [botVm(fleet, bot)] : Object.keys(fleet.vms);
  const all = await mapLimit(vms, 8, async (vm) => {
    const { agent } = await ops.vm(vm);
    return (await agent.call('ledger-read', schemas.ledgerRead, { limit, ...(bot && { bot }) })).entries;
  });
  return all.flat().sort((a, b) => String(a.time).localeCompare(String(b.time))).slice(-limit);
}

export function botVm(fleet: Fleet, bot: string): string {
  const b = fleet.bots[bot];
  if (!b) throw new BotctlError('E_USAGE', `no bot named ${JSON.stringify(bot)} in fleet.yaml`, { hint: `bots: ${Object.keys(fleet.bots).join(', ')}` });
  return b.vm;
}

export interface LockRow { vm: string; lease: LeaseView | null; stale: boolean }

export async function lockStatus(fleet: Fleet, ops: FleetOps, vms: string[]): Promise<LockRow[]> {
  return mapLimit(vms, 8, async (vm) => ({ vm, ...(await (await ops.vm(vm)).agent.call('lock-status', schemas.lockStatus)) }));
}

/** Releases leases: stale ones always, a live one only with force (recorded in the ledger). */
export async function lockRelease(fleet: Fleet, ops: FleetOps, vms: string[], force: boolean, dryRun = false): Promise<LockRow[]> {
  const rows = await lockStatus(fleet, ops, vms);
  const live = rows.filter((r) => r.lease && !r.stale);
  if (live.length && !force) {
    throw new BotctlError('E_LOCK_HELD', `the fleet lock on ${live.map((r) => `${r.vm} (${r.lease!.owner}, \`botctl ${r.lease!.command}\`)`).join(', ')} is live`, {
      hint: 'it is released when that command ends; --force takes it from a botctl you know is gone',
    });
  }
  if (dryRun) return rows.filter((r) => r.lease);
  for (const r of rows.filter((x) => x.lease)) {
    const { agent } = await ops.vm(r.vm);
    await agent.call('lock-release', schemas.lockRelease, { force: true });
    await record(agent, { command: `lock release${force ? ' --force' : ''}`, vm: r.vm, action: 'lock-release', from: `${r.lease!.owner}: ${r.lease!.command}`, result: 'ok' });
  }
  return rows.filter((r) => r.lease);
}

export interface LogRequest { offset: number; limit: number; since?: string; grep?: string }

/** One read of a bot's log on its VM (the tail, or what follows an offset). */
export async function readLogs(fleet: Fleet, ops: FleetOps, bot: string, req: LogRequest) {
  const { agent } = await ops.vm(botVm(fleet, bot));
  return agent.call('logs', schemas.logs, { bot, offset: req.offset, limit: req.limit, ...(req.since && { since: req.since }), ...(req.grep && { grep: req.grep }) });
}
