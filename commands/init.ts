import { Command } from 'commander';
import { examples, type GlobalOptions } from './help.js';

export default function initCommand(): Command {
  return new Command('init')
    .description('Write a commented starter fleet.yaml (never overwrites one)')
    .addHelpText(
      'after',
      examples([
        ['botctl init', 'write ./fleet.yaml and bots/echo.ts'],
        ['botctl init --file ops/fleet.yaml', 'write it somewhere else'],
      ]),
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const { fleetPath, display } = await import('../src/fleet/load.js');
      const { writeStarter } = await import('../src/fleet/starter.js');
      const written = await writeStarter(fleetPath(global.file));
      for (const f of written) process.stdout.write(`wrote ${display(f)}\n`);
      process.stdout.write('next: `botctl config` to check it, `botctl doctor` to check the VMs\n');
    });
}
