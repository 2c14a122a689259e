import { Command } from 'commander';
import { examples, withOps } from './help.js';

export default function statusCommand(): Command {
  return new Command('status')
    .description('Show every bot: state, pid, uptime, release, versions running, drift, heartbeat and connection age')
    .option('--vm <name...>', 'only these VMs')
    .option('--json', 'print the rows as JSON')
    .addHelpText(
      'after',
      examples([
        ['botctl status', 'the whole fleet, all VMs at once'],
        ['botctl status --vm lab-vm --json', 'one VM, for scripts'],
      ]) + [
          '',
          'States: running; stale (heartbeat too old); restarting (systemd restarts it after a crash); crashed (its',
          'pid is gone, or systemd gave up); stopped; duplicate (more than one process for the bot); unmanaged (a',
          'process botctl did not start); not deployed; unreachable.',
          '',
        ].join('\n'),
    )
    .action(async (opts: { vm?: string[]; json?: boolean }, cmd: Command) => {
      const { selectVms } = await import('../src/context.js');
      const { fleetStatus } = await import('../src/ops/status.js');
      const { renderStatus } = await import('../src/ui/status.js');
      const rows = await withOps(cmd, (fleet, ops) => fleetStatus(fleet, ops, selectVms(fleet, opts.vm)));
      renderStatus(rows, Boolean(opts.json));
    });
}
