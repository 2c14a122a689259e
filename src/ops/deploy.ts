import { BotctlError } from '../errors.js';
import { botsOn } from '../fleet/resolve.js';
import type { Bot, Fleet, Platforms } from '../fleet/types.js';
import { buildFleetReleases } from '../release/fleet.js';
import { schemas } from '../remote/agent.js';
import { mapLimit } from '../util/limit.js';
import type { FleetOps } from './fleetOps.js';
import { record } from './ledger.js';
import { withFleetLock } from './lock.js';
import { rolloutVm, type BotOutcome, type BotPlan } from './rollout.js';
import { readSecrets } from './secrets.js';
import { ensureRelease } from './upload.js';

export interface DeployOptions {
  command: string;
  prune: boolean;
  dryRun: boolean;
  lockWaitMs: number;
  lockTtlMs: number;
  readyTimeoutMs: number;
  progress: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Instead of fleet.yaml's platforms (the local demo points bots at its simulator). */
  platforms?: Platforms;
}

export interface DeployResult {
  bots: (BotOutcome & { uploaded: boolean })[];
  /** Bots on a VM that fleet.yaml no longer places there (removed with --prune). */
  orphans: { vm: string; bot: string; removed: boolean }[];
  /** With --dry-run: what would happen, nothing done. */
  plan?: { vm: string; bot: string; from: string | null; to: string; upload: boolean; action: string }[];
}

/**
 * Deploys bots: secrets read and releases built before any VM is touched (so bad input changes
 * nothing), then, holding the fleet lock on every VM involved, each VM in parallel: upload what
 * it lacks, roll its bots one at a time, report (or prune) bots it should no longer run.
 */
export async function deploy(fleet: Fleet, ops: FleetOps, bots: Bot[], opts: DeployOptions): Promise<DeployResult> {
  const secrets = readSecrets(bots, opts.env);
  const releases = new Map((await buildFleetReleases(fleet, bots, opts.env)).map((r) => [r.bot, r]));
  const vms = [...new Set(bots.map((b) => b.vm))].sort();
  const handles = await Promise.all(vms.map((v) => ops.vm(v)));
  await ops.preflight(handles, bots);
  const dirs = new Map(bots.map((b) => [releases.get(b.name)!.release, `${fleet.dir}/.botctl/cache/releases/${releases.get(b.name)!.release}`]));

  if (opts.dryRun) {
    const plan = (await mapLimit(handles, 8, async (h) => {
      const s = await h.agent.call('status', schemas.status);
      const rows = bots.filter((b) => b.vm === h.vm.name).map((b) => {
        const to = releases.get(b.name)!.release;
        const from = s.bots.find((x) => x.bot === b.name)?.current ?? null;
        return { vm: h.vm.name, bot: b.name, from, to, upload: !s.releases.includes(to), action: from === null ? 'install and start' : from === to ? 'restart if its files changed or it is not running' : 'switch and restart' };
      });
      // What the real deploy would report (or, with --prune, remove) on this VM.
      const placed = new Set(botsOn(fleet, h.vm.name).map((b) => b.name));
      for (const o of s.bots.filter((x) => !placed.has(x.bot))) {
        rows.push({ vm: h.vm.name, bot: o.bot, from: o.current, to: '-', upload: false, action: opts.prune ? 'not in fleet.yaml: stop and remove' : 'not in fleet.yaml: left as it is (--prune removes it)' });
      }
      return rows;
    })).flat();
    return { bots: [], orphans: [], plan };
  }

  return withFleetLock(handles.map((h) => ({ vm: h.vm.name, agent: h.agent })), { command: opts.command, waitMs: opts.lockWaitMs, ttlMs: opts.lockTtlMs }, async () => {
    const perVm = await mapLimit(handles, 4, async (h) => {
      const mine = bots.filter((b) => b.vm === h.vm.name);
      const uploaded = new Set<string>();
      for (const id of new Set(mine.map((b) => releases.get(b.name)!.release))) {
        if (await ensureRelease(h.host, h.agent, h.vm, id, dirs.get(id)!)) {
          uploaded.add(id);
          opts.progress(`${h.vm.name}: uploaded release ${id}`);
          await record(h.agent, { command: opts.command, vm: h.vm.name, action: 'upload', to: id, result: 'ok' });
        }
      }
      const plans: BotPlan[] = mine.map((bot) => ({ bot, release: releases.get(bot.name)!, token: secrets.get(bot.name)! }));
      const outcomes = await rolloutVm(h, plans, { command: opts.command, platforms: opts.platforms ?? fleet.platforms, readyTimeoutMs: opts.readyTimeoutMs, progress: opts.progress });
      const orphans = await handleOrphans(fleet, h, opts);
      await h.agent.call('prune-releases', schemas.pruneReleases, { limit: h.vm.keepReleases });
      return { outcomes: outcomes.map((o) => ({ ...o, uploaded: uploaded.has(o.to) })), orphans };
    });
    return { bots: perVm.flatMap((v) => v.outcomes), orphans: perVm.flatMap((v) => v.orphans) };
  });
}

async function handleOrphans(fleet: Fleet, h: Awaited<ReturnType<FleetOps['vm']>>, opts: DeployOptions): Promise<DeployResult['orphans']> {
  const placed = new Set(botsOn(fleet, h.vm.name).map((b) => b.name));
  const s = await h.agent.call('status', schemas.status);
  const out: DeployResult['orphans'] = [];
  for (const b of s.bots.filter((x) => !placed.has(x.bot))) {
    if (opts.prune) {
      await h.agent.call('stop', schemas.stop, { bot: b.bot });
      await h.agent.call('remove-bot', schemas.removeBot, { bot: b.bot });
      await record(h.agent, { command: opts.command, vm: h.vm.name, bot: b.bot, action: 'prune', from: b.current, result: 'ok' });
    }
    out.push({ vm: h.vm.name, bot: b.bot, removed: opts.prune });
  }
  return out;
}

/** --all or names, never neither: a deploy of "nothing" is almost always a mistake. */
export function requireSelection(names: string[], all: boolean | undefined): void {
  if (!names.length && !all) throw new BotctlError('E_USAGE', 'name the bots to act on, or pass --all');
  if (names.length && all) throw new BotctlError('E_USAGE', 'give bot names or --all, not both');
}
