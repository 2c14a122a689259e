import { Command } from 'commander';
import { examples, withOps } from './help.js';

export default function statusCommand(): Command {
  return new Command('status')
    .description('Show every bot: state, pid, uptime, release, versions running, drift, heartbeat and connection age')
    .option('--vm <name...>', 'only these VMs')
    .option('--json', 'print the rows as JSON')
    .option('--wide', 'one column per fact (drift, every version), wider than 100 columns')
    .addHelpText(
      'after',
      examples([
        ['botctl status', 'the whole fleet, all VMs at once'],
        ['botctl status --vm lab-vm --json', 'one VM, for scripts'],
        ['botctl status --wide', 'drift and versions in columns of their own'],
      ]) + [
          '',
          'States: running; starting (connecting, or retrying a start step that may heal: the reason is shown);',
          'stale (heartbeat too old); restarting (systemd restarts it after a crash); crashed (its pid is gone, or',
          'systemd gave up); stopped; duplicate (more than one process for the bot); unmanaged (a process botctl did',
          'not start); unknown (the VM answered, its systemd did not); not deployed; unreachable.',
          '',
        ].join('\n'),
    )
    .action(async (opts: { vm?: string[]; json?: boolean; wide?: boolean }, cmd: Command) => {
      const { selectVms } = await import('../src/context.js');
      await withOps(cmd, async (fleet, ops) => {
        const vms = selectVms(fleet, opts.vm);
        // status is every operator's hot path: connect first, and load the rest during the handshake.
        await ops.dial(vms);
        const [{ fleetStatus }, { renderStatus }] = await Promise.all([import('../src/ops/status.js'), import('../src/ui/status.js')]);
        renderStatus(await fleetStatus(fleet, ops, vms), Boolean(opts.json), Boolean(opts.wide));
      });
    });
}
