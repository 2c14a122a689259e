import { BotctlError } from '../errors.js';
import type { Bot, Platforms } from '../fleet/types.js';
import type { BotRelease } from '../release/fleet.js';
import { schemas, type AgentStatus } from '../remote/agent.js';
import { envFile, launch, runtimeConfig } from './botFiles.js';
import { unitFile, unitName } from './systemd.js';
import type { VmHandle } from './fleetOps.js';
import { record } from './ledger.js';

/** A bot to deploy: its release and its token (null in a dry run whose secret is not at hand). */
export interface BotPlan { bot: Bot; release: BotRelease; token: string | null }

export interface BotOutcome {
  bot: string;
  vm: string;
  from: string | null;
  to: string;
  /** unchanged: nothing to do; restarted / started: it runs the target release, ready. */
  action: 'unchanged' | 'restarted' | 'started';
  pid: number | null;
}

export interface RolloutOptions {
  command: string;
  platforms: Platforms;
  readyTimeoutMs: number;
  progress: (line: string) => void;
  /** Told of each bot as soon as its process is started. */
  started?: (bot: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

type BotState = AgentStatus['bots'][number];
export type VmPlanAnswer = AgentStatus & { differ: string[] };

/** What one bot will undergo, judged from the VM's state: the one place deploy decides it. */
export interface BotStep {
  plan: BotPlan;
  was: BotState | undefined;
  from: string | null;
  to: string;
  /** Its files that differ from what the VM holds ("token" for the env file). */
  changed: string[];
  /** Nothing differs and it runs: left alone. */
  unchanged: boolean;
  /** For people: "switch to <id> and restart", "restart: runtime.json changed", ... */
  describe: string;
}

/** What a bot has on its VM: [file under its directory, content, mode]; no env file without a token. */
export function botFiles(h: Pick<VmHandle, 'vm' | 'execPath'>, plan: BotPlan, platforms: Platforms): [string, string, string][] {
  const name = plan.bot.name;
  const files: [string, string, string][] = [
    ['runtime.json', JSON.stringify(runtimeConfig(h.vm, plan.bot, plan.release, platforms), null, 2), '644'],
    ['launch.json', JSON.stringify(launch(h.vm, name)), '644'],
  ];
  if (plan.token !== null) files.push(['env', envFile(plan.token), '600']);
  if (h.vm.supervisor === 'systemd') files.push([unitName(name), unitFile(h.vm, plan.bot, h.execPath ?? internal('deploy to a systemd VM without its preflight')), '644']);
  return files;
}

const wire = (h: Pick<VmHandle, 'vm' | 'execPath'>, plan: BotPlan, platforms: Platforms) =>
  botFiles(h, plan, platforms).map(([file, content, mode]) => ({ path: `bots/${plan.bot.name}/${file}`, content, mode }));

/** One agent call: the VM's status and which of the plans' files differ from what it holds. */
export function askPlan(h: VmHandle, plans: BotPlan[], platforms: Platforms): Promise<VmPlanAnswer> {
  return h.agent.call('plan', schemas.plan, {}, JSON.stringify(plans.flatMap((p) => wire(h, p, platforms))));
}

/** Decides each bot's step from the VM's answer. */
export function steps(answer: VmPlanAnswer, plans: BotPlan[]): BotStep[] {
  const differ = new Set(answer.differ);
  return plans.map((plan) => {
    const name = plan.bot.name;
    const was = answer.bots.find((b) => b.bot === name);
    const from = was?.current ?? null;
    const to = plan.release.release;
    const changed = [...differ].filter((p) => p.startsWith(`bots/${name}/`)).map((p) => p.slice(`bots/${name}/`.length)).map((f) => (f === 'env' ? 'token' : f));
    const running = was?.pid != null;
    const unchanged = from === to && !changed.length && was?.state === 'running';
    const describe = unchanged ? 'unchanged'
      : from === null ? 'install and start'
      : from !== to ? `switch ${from} -> ${to} and ${running ? 'restart' : 'start'}`
      : changed.length ? `${running ? 'restart' : 'start'}: ${changed.join(', ')} changed`
      : `start (it is ${was?.state ?? 'stopped'})`;
    return { plan, was, from, to, changed, unchanged, describe };
  });
}

/**
 * Deploys one VM's bots one at a time: write its files (one call per bot, only what differs),
 * switch its release, restart it, and wait until its heartbeat says ready before the next. A bot
 * whose release and files are unchanged and that runs is left alone. The first failure stops
 * the rollout.
 */
export async function rolloutVm(h: VmHandle, plans: BotPlan[], opts: RolloutOptions): Promise<BotOutcome[]> {
  const out: BotOutcome[] = [];
  for (const step of steps(await askPlan(h, plans, opts.platforms), plans)) {
    const { plan, was, from, to } = step;
    const name = plan.bot.name;
    if (step.unchanged) {
      out.push({ bot: name, vm: h.vm.name, from, to, action: 'unchanged', pid: was!.pid });
      continue;
    }
    try {
      if (step.changed.length) await h.agent.call('write-files', schemas.writeFiles, {}, JSON.stringify(wire(h, plan, opts.platforms)));
      if (from !== to) await h.agent.call('switch', schemas.switch, { bot: name, release: to });
      const running = was?.pid != null;
      if (running) await h.agent.call('stop', schemas.stop, { bot: name });
      opts.progress(`${h.vm.name}/${name}: ${step.describe}`);
      const { pid } = await h.agent.call('start', schemas.start, { bot: name });
      opts.started?.(name);
      await waitReady(h, name, pid, opts);
      await record(h.agent, { command: opts.command, vm: h.vm.name, bot: name, action: 'deploy', from, to, dependencies: plan.release.dependencies, result: 'ok' });
      out.push({ bot: name, vm: h.vm.name, from, to, action: running ? 'restarted' : 'started', pid });
    } catch (err) {
      await record(h.agent, { command: opts.command, vm: h.vm.name, bot: name, action: 'deploy', from, to, result: 'failed', error: (err as Error).message }).catch(() => undefined);
      throw err;
    }
  }
  return out;
}

/** Polls the heartbeat until this very process (pid) says ready; a dead process fails at once. */
export async function waitReady(h: VmHandle, bot: string, pid: number, opts: Pick<RolloutOptions, 'readyTimeoutMs' | 'sleep'>): Promise<void> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const deadline = Date.now() + opts.readyTimeoutMs;
  let last: BotState | undefined;
  while (Date.now() < deadline) {
    last = (await h.agent.call('status', schemas.status)).bots.find((b) => b.bot === bot);
    if (last?.pid === pid && last.heartbeat?.pid === pid && last.heartbeat.state === 'ready') return;
    if (last && last.pid === null && last.state !== 'stopped') break;
    await sleep(200);
  }
  throw new BotctlError('E_HEALTH', `${bot} on ${h.vm.name} did not become ready within ${opts.readyTimeoutMs / 1000}s (state: ${last?.state ?? 'unknown'}); the rollout stopped there`, {
    hint: `botctl logs ${bot} shows why; bots after it were not touched`,
  });
}

function internal(what: string): never {
  throw new BotctlError('E_INTERNAL', what);
}
