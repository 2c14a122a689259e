import { BotctlError } from './errors.js';
import { display, fleetPath, loadFleet } from './fleet/load.js';
import type { Fleet } from './fleet/types.js';
import { HostPool } from './remote/hosts.js';

export interface GlobalOptions {
  file?: string;
  verbose?: boolean;
  acceptNewHostKey?: boolean;
}

/** What a command's work gets: the validated fleet and one host pool, closed when the work ends. */
export async function withFleet<T>(global: GlobalOptions, work: (fleet: Fleet, pool: HostPool) => Promise<T>): Promise<T> {
  const fleet = await loadFleet(fleetPath(global.file));
  const pool = new HostPool({
    acceptNewHostKey: global.acceptNewHostKey,
    ...(global.verbose && { log: (line: string) => process.stderr.write(`botctl: ${line}\n`) }),
  });
  try {
    return await work(fleet, pool);
  } finally {
    await pool.closeAll();
  }
}

/** The VMs a command works on: all of them, or the ones named (each must exist). */
export function selectVms(fleet: Fleet, names: string[] | undefined): string[] {
  if (!names?.length) return Object.keys(fleet.vms);
  for (const n of names) {
    if (!(n in fleet.vms)) {
      throw new BotctlError('E_USAGE', `no VM named ${JSON.stringify(n)} in ${display(fleet.file)}`, { hint: `VMs: ${Object.keys(fleet.vms).join(', ')}` });
    }
  }
  return names;
}
