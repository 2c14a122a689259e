import type { Bot, Vm } from '../fleet/types.js';
import { AGENT_PROTOCOL } from '../agent/protocol.js';
import type { ProbeFacts } from './probe.js';

export type Status = 'ok' | 'warn' | 'fail' | 'skip';
export interface Check { check: string; status: Status; detail: string }

export const MIN_NODE_MAJOR = 20;
// Beyond its HTTP pool a bot holds a WebSocket, log files, the lock, stdio and node's own fds.
export const FDS_PER_BOT = 32;
const GIB = 1024 * 1024;

/** Judges the probe's facts; pure, so every verdict is tested without a VM. */
export function judge(vm: Vm, bots: Bot[], facts: ProbeFacts, skewMs: number | undefined): Check[] {
  return [nodeCheck(vm, facts), rootCheck(vm, facts), diskCheck(facts), nofileCheck(bots, facts), clockCheck(vm, skewMs), supervisorCheck(vm, facts), agentCheck(vm, facts)];
}

function agentCheck(vm: Vm, f: ProbeFacts): Check {
  const check = 'agent';
  if (f.agentProtocol === undefined) return { check, status: 'ok', detail: `not installed yet: the first command installs ${vm.root}/botctl/agent.mjs` };
  if (f.agentProtocol !== AGENT_PROTOCOL) return { check, status: 'ok', detail: `protocol ${f.agentProtocol}, not ${AGENT_PROTOCOL}: the next command replaces it` };
  return { check, status: 'ok', detail: `protocol ${AGENT_PROTOCOL}` };
}

function nodeCheck(vm: Vm, f: ProbeFacts): Check {
  const check = 'node';
  if (!f.nodePath) {
    return { check, status: 'fail', detail: 'no node on PATH of a non-interactive shell (nvm is not loaded there): set `node:` on the VM in fleet.yaml' };
  }
  if (!f.nodeVersion) return { check, status: 'fail', detail: `${f.nodePath} does not run` };
  const major = Number(/^v(\d+)/.exec(f.nodeVersion)?.[1]);
  if (!(major >= MIN_NODE_MAJOR)) {
    return { check, status: 'fail', detail: `${f.nodePath} is ${f.nodeVersion}; the runtime needs node >= ${MIN_NODE_MAJOR}${vm.node ? '' : ' (set `node:` in fleet.yaml to use another)'}` };
  }
  return { check, status: 'ok', detail: `${f.nodeVersion} at ${f.nodePath}` };
}

function rootCheck(vm: Vm, f: ProbeFacts): Check {
  const check = 'root';
  if (f.rootExists) {
    return f.rootWritable ? { check, status: 'ok', detail: `${vm.root} writable` } : { check, status: 'fail', detail: `${vm.root} is not writable by this user` };
  }
  return f.rootWritable
    ? { check, status: 'ok', detail: `${vm.root} absent; ${f.rootNearest} is writable, so deploy can create it` }
    : { check, status: 'fail', detail: `${vm.root} absent and ${f.rootNearest ?? 'its parent'} is not writable: create it and give the bot user write access` };
}

function diskCheck(f: ProbeFacts): Check {
  const check = 'disk';
  if (f.diskFreeKb === undefined) return { check, status: 'warn', detail: 'could not read free space (df)' };
  const gib = (f.diskFreeKb / GIB).toFixed(1);
  if (f.diskFreeKb < 0.2 * GIB) return { check, status: 'fail', detail: `${gib} GiB free: releases and logs need room` };
  if (f.diskFreeKb < GIB) return { check, status: 'warn', detail: `${gib} GiB free` };
  return { check, status: 'ok', detail: `${gib} GiB free` };
}

function nofileCheck(bots: Bot[], f: ProbeFacts): Check {
  const check = 'open files';
  const runtime = bots.filter((b) => b.kind === 'runtime');
  const pools = runtime.reduce((n, b) => n + b.http.connections, 0);
  const need = pools + runtime.length * FDS_PER_BOT;
  const why = `${runtime.length} bots: pools ${pools} + ${runtime.length}x${FDS_PER_BOT} other`;
  if (f.nofile === null) return { check, status: 'ok', detail: `unlimited (need ${need}: ${why})` };
  if (f.nofile === undefined) return { check, status: 'warn', detail: 'could not read `ulimit -n`' };
  // The limit is per process, but a bot that hits it fails like incident 001: timeouts, not errors.
  const perBot = Math.max(0, ...runtime.map((b) => b.http.connections + FDS_PER_BOT));
  if (f.nofile < perBot) return { check, status: 'fail', detail: `ulimit -n ${f.nofile} < ${perBot} that one bot may hold (pool + ${FDS_PER_BOT})` };
  if (f.nofile < need) return { check, status: 'warn', detail: `ulimit -n ${f.nofile} < ${need} for all bots (${why}); fine per process, tight for the user` };
  return { check, status: 'ok', detail: `ulimit -n ${f.nofile} >= ${need} (${why})` };
}

function clockCheck(vm: Vm, skewMs: number | undefined): Check {
  const check = 'clock';
  if (vm.local) return { check, status: 'ok', detail: 'this machine' };
  if (skewMs === undefined) return { check, status: 'warn', detail: 'could not read the VM clock' };
  const s = (Math.abs(skewMs) / 1000).toFixed(1);
  const dir = skewMs > 0 ? 'ahead' : 'behind';
  if (Math.abs(skewMs) >= 60_000) return { check, status: 'fail', detail: `${s}s ${dir}: log times and --since will be wrong; enable NTP` };
  if (Math.abs(skewMs) >= 2_000) return { check, status: 'warn', detail: `${s}s ${dir}` };
  return { check, status: 'ok', detail: `skew ${Math.round(skewMs)} ms` };
}

function supervisorCheck(vm: Vm, f: ProbeFacts): Check {
  const check = 'supervisor';
  if (vm.supervisor === 'systemd') {
    const user = f.user ?? 'the bot user';
    if (!f.systemd) return { check, status: 'fail', detail: 'supervisor: systemd, but systemctl is absent: use `supervisor: process`' };
    if (f.userManager !== 'running' && f.userManager !== 'degraded') {
      return { check, status: 'fail', detail: `${user}'s systemd manager is ${f.userManager || 'not reachable'}: \`sudo loginctl enable-linger ${user}\` starts it` };
    }
    if (!f.linger) return { check, status: 'fail', detail: `lingering is off for ${user}: its bots would stop with the last SSH session; \`sudo loginctl enable-linger ${user}\`` };
    return { check, status: 'ok', detail: `systemd user units; ${user}'s manager ${f.userManager}, lingering on` };
  }
  return vm.local
    ? { check, status: 'ok', detail: 'process (pid files)' }
    : { check, status: 'warn', detail: 'process: a crashed bot is not restarted; prefer systemd on a VM' };
}
