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
