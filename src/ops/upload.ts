import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import type { Vm } from '../fleet/types.js';
import { schemas, type AgentClient } from '../remote/agent.js';
import type { Host } from '../remote/host.js';

/** A release as one archive, made once beside its directory in the local cache. */
async function pack(dir: string): Promise<string> {
  const archive = `${dir}.tar.gz`;
  if (!existsSync(archive)) {
    const tmp = `${archive}.${process.pid}.tmp`;
    await execa('tar', ['-czf', tmp, '-C', dir, '.']);
    await execa('mv', ['-f', tmp, archive]);
  }
  return archive;
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
