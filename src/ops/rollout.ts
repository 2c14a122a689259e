import { BotctlError } from '../errors.js';
import type { Bot, Platforms } from '../fleet/types.js';
import type { BotRelease } from '../release/fleet.js';
import { schemas, type AgentStatus } from '../remote/agent.js';
import { envFile, launch, runtimeConfig } from './botFiles.js';
import { unitFile, unitName } from './systemd.js';
import type { VmHandle } from './fleetOps.js';
import { record } from './ledger.js';

export interface BotPlan { bot: Bot; release: BotRelease; token: string }

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
  sleep?: (ms: number) => Promise<void>;
}

type BotState = AgentStatus['bots'][number];

/**
 * Deploys one VM's bots one at a time: write its files (the agent says what changed), switch its
 * release, restart it, and wait until its heartbeat says ready before the next. A bot whose
 * release and files are unchanged and that runs is left alone. The first failure stops the rollout.
 */
export async function rolloutVm(h: VmHandle, plans: BotPlan[], opts: RolloutOptions): Promise<BotOutcome[]> {
  const before = await h.agent.call('status', schemas.status);
  const out: BotOutcome[] = [];
  for (const plan of plans) {
    const name = plan.bot.name;
    const was = before.bots.find((b) => b.bot === name);
    const from = was?.current ?? null;
    const to = plan.release.release;
    try {
      let changed = false;
      for (const [file, content, mode] of botFiles(h, plan, opts.platforms)) {
        const r = await h.agent.call('write', schemas.write, { path: `bots/${name}/${file}`, mode }, content);
        changed ||= r.changed;
      }
      if (!changed && from === to && was?.state === 'running') {
        out.push({ bot: name, vm: h.vm.name, from, to, action: 'unchanged', pid: was.pid });
        continue;
      }
      if (from !== to) await h.agent.call('switch', schemas.switch, { bot: name, release: to });
      const running = was?.pid != null;
      if (running) await h.agent.call('stop', schemas.stop, { bot: name });
      opts.progress(`${h.vm.name}/${name}: ${from ?? '(none)'} -> ${to}, ${running ? 'restarting' : 'starting'}`);
      const { pid } = await h.agent.call('start', schemas.start, { bot: name });
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

/** What a bot has on its VM: [file under its directory, content, mode]. */
function botFiles(h: VmHandle, plan: BotPlan, platforms: Platforms): [string, string, string][] {
  const name = plan.bot.name;
  const files: [string, string, string][] = [
    ['runtime.json', JSON.stringify(runtimeConfig(h.vm, plan.bot, plan.release, platforms), null, 2), '644'],
    ['launch.json', JSON.stringify(launch(h.vm, name)), '644'],
    ['env', envFile(plan.token), '600'],
  ];
  if (h.vm.supervisor === 'systemd') files.push([unitName(name), unitFile(h.vm, plan.bot, h.execPath ?? internal('deploy to a systemd VM without its preflight')), '644']);
  return files;
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
