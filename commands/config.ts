import { Command } from 'commander';
import { examples, type GlobalOptions } from './help.js';

export default function configCommand(): Command {
  return new Command('config')
    .description('Validate fleet.yaml and show it resolved: defaults applied, secrets as references')
    .option('--json', 'print the resolved fleet as JSON (durations in milliseconds)')
    .option('--wide', 'every setting of every bot as a column (wider than 100 columns)')
    .addHelpText(
      'after',
      examples([
        ['botctl config', 'tables of VMs and bots from ./fleet.yaml'],
        ['botctl config --wide', 'every setting of every bot, one column each'],
        ['botctl config --file broken.yaml', 'list every problem as file:line:col path: message (exit 2)'],
        ['BOTCTL_FLEET=prod.yaml botctl config --json', 'the resolved fleet for scripts'],
      ]),
    )
    .action(async (opts: { json?: boolean; wide?: boolean }, cmd: Command) => {
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const { loadFleet, fleetPath } = await import('../src/fleet/load.js');
      const fleet = await loadFleet(fleetPath(global.file));
      const { renderConfig, configJson } = await import('../src/ui/config.js');
      if (opts.json) {
        const { printJson } = await import('../src/ui/output.js');
        printJson(configJson(fleet));
      } else renderConfig(fleet, Boolean(opts.wide));
    });
}
