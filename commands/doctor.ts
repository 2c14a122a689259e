import { Command } from 'commander';
import { examples, type GlobalOptions } from './help.js';

export default function doctorCommand(): Command {
  return new Command('doctor')
    .description('Check every VM: reachable, host key, login, node >= 20, root writable, disk, open-file limit, clock')
    .option('--vm <name...>', 'only these VMs')
    .option('--json', 'print the checks as JSON')
    .addHelpText(
      'after',
      examples([
        ['botctl doctor', 'check every VM in ./fleet.yaml (exit 1 if a check fails)'],
        ['botctl doctor --vm lab-vm', 'check one VM'],
        ['botctl doctor --accept-new-host-key', 'first contact: record the VM\'s host key'],
        ['botctl doctor --json | jq .', 'the same, for scripts'],
      ]) + '\nChecks: reachable, host key, authenticated, node, root, disk, open files, clock, supervisor.\n',
    )
    .action(async (opts: { vm?: string[]; json?: boolean }, cmd: Command) => {
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const { withFleet, selectVms } = await import('../src/context.js');
      const { doctor } = await import('../src/doctor/doctor.js');
      const { renderDoctor } = await import('../src/ui/doctor.js');
      const reports = await withFleet(global, (fleet, pool) => doctor(fleet, pool, selectVms(fleet, opts.vm)));
      renderDoctor(reports, Boolean(opts.json));
    });
}
