import { randomBytes } from 'node:crypto';
import { existsSync, renameSync } from 'node:fs';
import { BotctlError } from '../errors.js';
import { execa } from 'execa';
import type { Vm } from '../fleet/types.js';
import { schemas, type AgentClient } from '../remote/agent.js';
import type { Host } from '../remote/host.js';

const packing = new Map<string, Promise<string>>();

/**
 * A release as one archive, made once beside its directory in the local cache. VMs deploy in
 * parallel, so concurrent requests for the same archive share one packing.
 */
function pack(dir: string): Promise<string> {
  const archive = `${dir}.tar.gz`;
  let p = packing.get(archive);
  if (!p) {
    p = (async () => {
      if (existsSync(archive)) return archive;
      const tmp = `${archive}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      const r = await execa('tar', ['-czf', tmp, '-C', dir, '.'], { reject: false });
      if (r.exitCode !== 0) throw new BotctlError('E_REMOTE', `cannot pack release ${dir}: ${String(r.stderr).trim()}`);
      renameSync(tmp, archive);
      return archive;
    })();
    packing.set(archive, p);
    p.catch(() => packing.delete(archive));
  }
  return p;
}

/**
 * Puts a release on a VM unless it is already there: one archive up, unpacked under a temporary
 * name, its hash checked on the VM, then renamed into releases/<id>. Returns whether it uploaded.
 */
export async function ensureRelease(host: Host, agent: AgentClient, vm: Pick<Vm, 'root'>, id: string, dir: string): Promise<boolean> {
  const { releases } = await agent.call('releases', schemas.releases);
  if (releases.includes(id)) return false;
  const remote = `${vm.root}/releases/.upload-${id}-${randomBytes(4).toString('hex')}.tar.gz`;
  await host.run(['mkdir', '-p', `${vm.root}/releases`]);
  await host.put(await pack(dir), remote);
  await agent.call('unpack', schemas.unpack, { release: id, file: remote });
  return true;
}
