import { Command } from 'commander';
import { examples, withOps } from './help.js';
import { mutatingOptions, type MutatingFlags } from './mutating.js';

export default function deployCommand(): Command {
  return mutatingOptions(
    new Command('deploy')
      .description('Build, upload and switch releases, restarting bots one at a time until each is ready')
      .argument('[bots...]', 'bots to deploy')
      .option('--all', 'every bot in fleet.yaml')
      .option('--prune', 'stop and remove bots that fleet.yaml no longer places on a VM')
      .option('--json', 'print the outcome as JSON'),
  )
    .addHelpText('after', examples([
      ['botctl deploy --all', 'everything; unchanged bots are left running'],
      ['botctl deploy barnacles --dry-run', 'what would change, touching nothing'],
      ['botctl deploy --all --prune --lock-wait 5m', 'also remove bots no longer in fleet.yaml; wait for a busy lock'],
    ]))
    .action(async (names: string[], flags: MutatingFlags & { prune?: boolean }, cmd: Command) => {
      const { deploy, requireSelection } = await import('../src/ops/deploy.js');
      const { selectBots } = await import('../src/release/fleet.js');
      const { mutatingSettings } = await import('../src/ops/cliOptions.js');
      const { renderDeploy } = await import('../src/ui/deploy.js');
      const { demoSettings } = await import('../src/ops/demo.js');
      requireSelection(names, flags.all);
      const settings = mutatingSettings(flags);
      const result = await withOps(cmd, async (fleet, ops) => {
        const bots = selectBots(fleet, names);
        // The local demo's bots talk to its simulator with demo tokens, however they are deployed.
        const demo = await demoSettings(fleet, bots, { start: !flags.dryRun });
        return deploy(fleet, ops, bots, {
          ...settings, command: ['deploy', ...(flags.all ? ['--all'] : names)].join(' '), prune: Boolean(flags.prune), dryRun: Boolean(flags.dryRun),
          ...(demo && { secrets: demo.secrets, platforms: demo.platforms }),
        });
      });
      renderDeploy(result, Boolean(flags.json));
    });
}
