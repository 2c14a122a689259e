import { Command } from 'commander';
import { examples, withOps } from './help.js';
import { mutatingOptions, type MutatingFlags } from './mutating.js';

function controlCommand(verb: 'start' | 'stop', summary: string, example: [string, string][]): Command {
  return mutatingOptions(new Command(verb).description(summary).argument('[bots...]', `bots to ${verb}`).option('--all', 'every bot in fleet.yaml').option('--json', 'print the outcome as JSON'), { starts: verb === 'start' })
    .addHelpText('after', examples(example))
    .action(async (names: string[], flags: MutatingFlags, cmd: Command) => {
      const { control } = await import('../src/ops/control.js');
      const { requireSelection } = await import('../src/ops/deploy.js');
      const { selectBots } = await import('../src/release/fleet.js');
      const { mutatingSettings } = await import('../src/ops/cliOptions.js');
      const { print, printJson, table } = await import('../src/ui/output.js');
      const { demoSettings } = await import('../src/ops/demo.js');
      requireSelection(names, flags.all);
      const out = await withOps(cmd, async (fleet, ops) => {
        const bots = selectBots(fleet, names);
        // The local demo's bots need its simulator running to become ready.
        if (verb === 'start' && !flags.dryRun) await demoSettings(fleet, bots, { start: true });
        return control(ops, bots, verb, { ...mutatingSettings(flags), command: [verb, ...(flags.all ? ['--all'] : names)].join(' '), dryRun: Boolean(flags.dryRun) });
      });
      if (flags.json) return printJson(flags.dryRun ? { plan: out } : out);
      if (flags.dryRun) print('dry run: nothing was changed');
      print(table(['bot', 'vm', flags.dryRun ? 'plan' : 'result', 'pid'], out.map((o) => [o.bot, o.vm, o.result, o.pid ?? '-'])));
    });
}

export const startCommand = () => controlCommand('start', 'Start deployed bots, each waited on until its heartbeat says ready', [
  ['botctl start barnacles', 'start one bot'],
  ['botctl start --all', 'start every deployed bot'],
  ['botctl start --all --dry-run', 'which bots would start, changing nothing'],
]);

// Stop proves each pid from /proc (command line and start time) before signalling it.
export const stopCommand = () => controlCommand('stop', 'Stop bots: SIGTERM to the proven pid, a bounded wait, then SIGKILL', [
  ['botctl stop barnacles', 'stop one bot'],
  ['botctl stop --all --lock-wait 2m', 'stop everything, waiting for a busy lock'],
  ['botctl stop barnacles --dry-run', 'what would be stopped, and how'],
]);
