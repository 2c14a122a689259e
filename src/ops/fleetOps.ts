import { BotctlError } from '../errors.js';
import type { Bot, Fleet, Vm } from '../fleet/types.js';
import { agentBundle } from '../release/agentBundle.js';
import type { AgentClient } from '../remote/agent.js';
import { unitSafePath } from './systemd.js';
import type { Host } from '../remote/host.js';
import type { HostPool } from '../remote/hosts.js';

/** One VM's handles for an invocation: its host (one connection) and its agent. */
export interface VmHandle {
  vm: Vm;
  host: Host;
  agent: AgentClient;
  /** The VM's absolute node path, learnt by preflight (systemd units must name it). */
  execPath?: string;
}

/** Opens (once) the host and agent of a VM; every command of the invocation reuses them. */
export class FleetOps {
  private readonly handles = new Map<string, Promise<VmHandle>>();

  constructor(readonly fleet: Fleet, readonly pool: HostPool) {}

  /**
   * Checks, before a mutating command changes anything, that each VM can run its supervisor: a
   * systemd VM needs its user manager up and lingering on (else every bot dies with the last SSH
   * session). Learns the absolute node path the units must name.
   */
  async preflight(handles: VmHandle[], bots: Pick<Bot, 'name' | 'vm'>[]): Promise<void> {
    await Promise.all(handles.filter((h) => h.vm.supervisor === 'systemd').map(async (h) => {
      const root = unitSafePath(h.vm.root);
      if (root) throw new BotctlError('E_CONFIG', `${h.vm.name}: ${root}; nothing was changed`, { hint: `give ${h.vm.name} a root without spaces, %, quotes or backslashes in fleet.yaml` });
      const { schemas } = await import('../remote/agent.js');
      const p = await h.agent.call('preflight', schemas.preflight, { bots: bots.filter((b) => b.vm === h.vm.name).map((b) => b.name).join(',') });
      const { user, linger, manager } = p.systemd;
      if (manager !== 'running' && manager !== 'degraded') {
        throw new BotctlError('E_REMOTE', `${h.vm.name} uses supervisor: systemd, but ${user}'s systemd manager is ${manager}; nothing was changed`, {
          hint: `on the VM: sudo loginctl enable-linger ${user} (starts it), or set supervisor: process on ${h.vm.name}`,
        });
      }
      if (!linger) {
        throw new BotctlError('E_REMOTE', `${h.vm.name}: lingering is off for ${user}, so its bots would stop when the last SSH session ends; nothing was changed`, {
          hint: `on the VM: sudo loginctl enable-linger ${user}`,
        });
      }
      if (p.taken.length) {
        const t = p.taken[0]!;
        throw new BotctlError('E_USAGE', `${h.vm.name}: the unit botctl-${t.bot}.service already runs ${t.bot} from the root ${t.root}; nothing was changed`, {
          hint: 'two fleets on one VM user cannot share a bot name: rename the bot, or remove it from the other root first',
        });
      }
      h.execPath = p.execPath;
    }));
  }

  /** Starts connecting to these VMs; resolves once each handshake is under way. */
  async dial(names: string[]): Promise<void> {
    for (const n of names) this.vm(n).catch(() => undefined);
    await Promise.all(names.map((n) => this.pool.dialed(n)));
  }

  vm(name: string): Promise<VmHandle> {
    let h = this.handles.get(name);
    if (!h) {
      const vm = this.fleet.vms[name]!;
      const host = this.pool.get(vm);
      // The agent client (and zod with it) loads while the SSH handshake is in flight.
      const client = this.pool.dialed(name).then(() => import('../remote/agent.js'));
      h = Promise.all([host, client]).then(([hst, { AgentClient }]) => ({ vm, host: hst, agent: new AgentClient(hst, vm, agentBundle) }));
      // A failure stays the answer for this invocation: a second try would double the wait on
      // an unreachable VM (status dials first, then reads).
      h.catch(() => undefined);
      this.handles.set(name, h);
    }
    return h;
  }
}
