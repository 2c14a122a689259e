import { BotctlError } from '../errors.js';
import type { Fleet, Vm } from '../fleet/types.js';
import { agentBundle } from '../release/agentBundle.js';
import { AgentClient } from '../remote/agent.js';
import type { Host } from '../remote/host.js';
import type { HostPool } from '../remote/hosts.js';

/** One VM's handles for an invocation: its host (one connection) and its agent. */
export interface VmHandle { vm: Vm; host: Host; agent: AgentClient }

/** Opens (once) the host and agent of a VM; every command of the invocation reuses them. */
export class FleetOps {
  private readonly handles = new Map<string, Promise<VmHandle>>();

  constructor(readonly fleet: Fleet, readonly pool: HostPool) {}

  /**
   * Refuses a VM that mutating commands cannot act on. The agent does not drive systemd yet:
   * rather than quietly run such a VM's bots under pid files, say so before anything is built.
   */
  assertMutable(name: string): void {
    if (this.fleet.vms[name]!.supervisor === 'systemd') {
      throw new BotctlError('E_USAGE', `${name} uses supervisor: systemd, which this botctl cannot drive yet; nothing was changed`, {
        hint: `set supervisor: process on ${name} in fleet.yaml for now (bots are not restarted after a crash)`,
      });
    }
  }

  vm(name: string): Promise<VmHandle> {
    let h = this.handles.get(name);
    if (!h) {
      const vm = this.fleet.vms[name]!;
      h = this.pool.get(vm).then((host) => ({ vm, host, agent: new AgentClient(host, vm, agentBundle) }));
      h.catch(() => this.handles.delete(name));
      this.handles.set(name, h);
    }
    return h;
  }
}
