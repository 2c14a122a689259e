import type { Vm } from '../fleet/types.js';
import type { Host } from './host.js';
import { LocalHost } from './local.js';
import type { SshHostOptions } from './ssh.js';

/** One Host per VM for the whole invocation: the SSH connection is opened once and reused. */
export class HostPool {
  private readonly hosts = new Map<string, Promise<Host>>();
  private readonly dials = new Map<string, Promise<void>>();

  constructor(private readonly opts: SshHostOptions = {}) {}

  get(vm: Pick<Vm, 'name' | 'host' | 'local' | 'user' | 'port'>): Promise<Host> {
    let host = this.hosts.get(vm.name);
    if (!host) {
      // The SSH stack (node-ssh, ssh2) loads only when a VM needs it, and while it loads, `ssh -G`
      // already resolves the host in its own process.
      host = vm.local ? Promise.resolve(new LocalHost(vm.name)) : this.connect(vm);
      // A failed connect is not cached as a Host: the next get() tries again.
      host.catch(() => this.hosts.delete(vm.name));
      this.hosts.set(vm.name, host);
    }
    return host;
  }

  /**
   * Resolves once the VM's SSH handshake is under way (or its connection failed first): work
   * that needs no connection, such as loading modules, is best done in that wait.
   */
  dialed(name: string): Promise<void> {
    return this.dials.get(name) ?? Promise.resolve();
  }

  private async connect(vm: Pick<Vm, 'name' | 'host' | 'user' | 'port'>): Promise<Host> {
    let onDial!: () => void;
    this.dials.set(vm.name, new Promise<void>((resolve) => (onDial = resolve)));
    try {
      const target = import('./sshConfig.js').then(({ resolveSsh }) =>
        resolveSsh(vm.host, { ...(vm.user !== undefined && { user: vm.user }), ...(vm.port !== undefined && { port: vm.port }), configFile: this.opts.configFile, resolver: this.opts.resolver }));
      const [{ connectSsh }, resolved] = await Promise.all([import('./ssh.js'), target]);
      return await connectSsh(vm, { ...this.opts, onDial }, resolved);
    } finally {
      onDial();
    }
  }

  async closeAll(): Promise<void> {
    const all = [...this.hosts.values()];
    this.hosts.clear();
    await Promise.all(all.map((h) => h.then((x) => x.close(), () => undefined)));
  }
}
