import { botsOn } from '../fleet/resolve.js';
import type { Fleet, Vm } from '../fleet/types.js';
import { BotctlError } from '../errors.js';
import type { HostPool } from '../remote/hosts.js';
import { SshHost } from '../remote/ssh.js';
import { mapLimit } from '../util/limit.js';
import { judge, type Check } from './checks.js';
import { parseProbe, probeCommand } from './probe.js';

export interface VmReport { vm: string; host: string; ok: boolean; checks: Check[] }

const PROBE_TIMEOUT_MS = 20_000;

/** Runs every check on every VM (in parallel, bounded); a VM that fails early still reports. */
export async function doctor(fleet: Fleet, pool: HostPool, vmNames: string[], now: () => number = Date.now): Promise<VmReport[]> {
  return mapLimit(vmNames.map((n) => fleet.vms[n]!), 8, async (vm) => {
    const checks = await checkVm(fleet, vm, pool, now);
    return { vm: vm.name, host: vm.host, ok: checks.every((c) => c.status !== 'fail'), checks };
  });
}

async function checkVm(fleet: Fleet, vm: Vm, pool: HostPool, now: () => number): Promise<Check[]> {
  const checks: Check[] = connectionChecks(vm);
  let host;
  try {
    host = await pool.get(vm);
  } catch (err) {
    if (!(err instanceof BotctlError)) throw err;
    return failedConnection(err);
  }
  if (host instanceof SshHost) {
    checks[0] = { check: 'reachable', status: 'ok', detail: `${host.describe} (config: ${host.target.source})` };
    checks[1] = { check: 'host key', status: 'ok', detail: `${host.hostKey.type} ${host.hostKey.fingerprint}${host.hostKey.status === 'accepted-new' ? ' (new: recorded in known_hosts)' : ''}` };
    checks[2] = { check: 'authenticated', status: 'ok', detail: `as ${host.target.user}` };
  }
  const t0 = now();
  const r = await host.run(probeCommand(vm.root, vm.node), { timeoutMs: PROBE_TIMEOUT_MS });
  const t1 = now();
  if (r.code !== 0) {
    return [...checks, { check: 'probe', status: 'fail', detail: `sh on the VM exited ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''}` }];
  }
  const facts = parseProbe(r.stdout);
  const skew = facts.timeMs === undefined ? undefined : facts.timeMs - (t0 + t1) / 2;
  return [...checks, ...judge(vm, botsOn(fleet, vm.name), facts, skew)];
}

function connectionChecks(vm: Vm): Check[] {
  if (vm.local) return [{ check: 'reachable', status: 'ok', detail: 'local (no SSH)' }];
  return ['reachable', 'host key', 'authenticated'].map((check) => ({ check, status: 'skip', detail: 'not reached' }));
}

// Which step failed tells which checks passed before it: the code says where the handshake stopped.
function failedConnection(err: BotctlError): Check[] {
  const fail = (check: string): Check => ({ check, status: 'fail', detail: `${err.message}${err.hint ? ` (${err.hint})` : ''}` });
  const passed = (check: string): Check => ({ check, status: 'ok', detail: '' });
  const skipped = (check: string): Check => ({ check, status: 'skip', detail: 'not reached' });
  switch (err.code) {
    case 'E_HOSTKEY_UNKNOWN':
    case 'E_HOSTKEY_CHANGED':
      return [passed('reachable'), fail('host key'), skipped('authenticated')];
    case 'E_AUTH':
      return [passed('reachable'), passed('host key'), fail('authenticated')];
    default:
      return [fail('reachable'), skipped('host key'), skipped('authenticated')];
  }
}
