import { BotctlError } from '../errors.js';
import { botsOn } from '../fleet/resolve.js';
import type { Bot, Fleet, Platforms } from '../fleet/types.js';
import { buildFleetReleases } from '../release/fleet.js';
import { schemas } from '../remote/agent.js';
import { mapLimit } from '../util/limit.js';
import type { FleetOps, VmHandle } from './fleetOps.js';
import { record } from './ledger.js';
import { withFleetLock } from './lock.js';
import { askPlan, rolloutVm, steps, type BotOutcome, type BotPlan } from './rollout.js';
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
  /** Told of each bot as soon as its process is started. */
  started?: (bot: string) => void;
  env?: NodeJS.ProcessEnv;
  /** The bots' tokens, instead of reading fleet.yaml's references (the local demo's). */
  secrets?: Map<string, string>;
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
 * nothing). One agent call per VM then compares what it holds with what it should: when nothing
 * differs, that is the whole deploy (no lock, no ledger entry). Otherwise, holding the fleet lock
 * on the VMs with work, each VM in parallel: upload what it lacks, roll its bots one at a time,
 * report (or prune) bots it should no longer run.
 */
export async function deploy(fleet: Fleet, ops: FleetOps, bots: Bot[], opts: DeployOptions): Promise<DeployResult> {
  // A dry run never needs a secret: where one is not at hand, the token is simply not compared.
  const secrets = opts.secrets ?? readSecrets(bots, opts.env, { lenient: opts.dryRun });
  const releases = new Map((await buildFleetReleases(fleet, bots, opts.env)).map((r) => [r.bot, r]));
  const vms = [...new Set(bots.map((b) => b.vm))].sort();
  const handles = await Promise.all(vms.map((v) => ops.vm(v)));
  await ops.preflight(handles, bots);
  const platforms = opts.platforms ?? fleet.platforms;
  const plansOn = (h: VmHandle): BotPlan[] => bots.filter((b) => b.vm === h.vm.name).map((bot) => ({ bot, release: releases.get(bot.name)!, token: secrets.get(bot.name) ?? null }));
  const looked = await mapLimit(handles, 8, async (h) => {
    const answer = await askPlan(h, plansOn(h), platforms);
    const placed = new Set(botsOn(fleet, h.vm.name).map((b) => b.name));
    return { h, answer, steps: steps(answer, plansOn(h)), orphans: answer.bots.filter((x) => !placed.has(x.bot)) };
  });

  if (opts.dryRun) {
    return { bots: [], orphans: [], plan: looked.flatMap(({ h, answer, steps: s, orphans }) => [
      ...s.map((st) => ({
        vm: h.vm.name, bot: st.plan.bot.name, from: st.from, to: st.to, upload: !answer.releases.includes(st.to),
        action: st.describe + (st.plan.token === null ? ` (${tokenRef(st.plan.bot)} is not set here: token not compared)` : ''),
      })),
      // What the real deploy would report (or, with --prune, remove) on this VM.
      ...orphans.map((o) => ({ vm: h.vm.name, bot: o.bot, from: o.current, to: '-', upload: false, action: opts.prune ? 'not in fleet.yaml: stop and remove' : 'not in fleet.yaml: left as it is (--prune removes it)' })),
    ]) };
  }

  const busy = looked.filter((v) => v.steps.some((s) => !s.unchanged) || (opts.prune && v.orphans.length));
  const idle = looked.filter((v) => !busy.includes(v)).map((v) => ({
    outcomes: v.steps.map((s): DeployResult['bots'][number] => ({ bot: s.plan.bot.name, vm: v.h.vm.name, from: s.from, to: s.to, action: 'unchanged', pid: s.was!.pid, uploaded: false })),
    orphans: v.orphans.map((o) => ({ vm: v.h.vm.name, bot: o.bot, removed: false })),
  }));
  const done = !busy.length ? [] : await withFleetLock(busy.map(({ h }) => ({ vm: h.vm.name, agent: h.agent })), { command: opts.command, waitMs: opts.lockWaitMs, ttlMs: opts.lockTtlMs }, () =>
    mapLimit(busy, 4, async ({ h }) => {
      const mine = plansOn(h);
      const uploaded = new Set<string>();
      for (const id of new Set(mine.map((p) => p.release.release))) {
        if (await ensureRelease(h.host, h.agent, h.vm, id, `${fleet.dir}/.botctl/cache/releases/${id}`)) {
          uploaded.add(id);
          opts.progress(`${h.vm.name}: uploaded release ${id}`);
          await record(h.agent, { command: opts.command, vm: h.vm.name, action: 'upload', to: id, result: 'ok' });
        }
      }
      const outcomes = await rolloutVm(h, mine, { command: opts.command, platforms, readyTimeoutMs: opts.readyTimeoutMs, progress: opts.progress, ...(opts.started && { started: opts.started }) });
      const orphans = await handleOrphans(fleet, h, opts);
      await h.agent.call('prune-releases', schemas.pruneReleases, { limit: h.vm.keepReleases });
      return { outcomes: outcomes.map((o) => ({ ...o, uploaded: uploaded.has(o.to) })), orphans };
    }));
  const all = [...idle, ...done];
  const order = bots.map((b) => b.name);
  return {
    bots: all.flatMap((v) => v.outcomes).sort((a, b) => order.indexOf(a.bot) - order.indexOf(b.bot)),
    orphans: all.flatMap((v) => v.orphans),
  };
}

const tokenRef = (bot: Bot) => `${bot.token!.kind}:${bot.token!.ref}`;

async function handleOrphans(fleet: Fleet, h: VmHandle, opts: DeployOptions): Promise<DeployResult['orphans']> {
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
