import { Command } from 'commander';
import { examples, type GlobalOptions } from './help.js';

export default function buildCommand(): Command {
  return new Command('build')
    .description('Build the runtime releases the bots need: one per distinct dependency set, cached by id')
    .argument('[bots...]', 'bots to build for (default: all)')
    .option('--json', 'print the bot -> release table as JSON')
    .addHelpText(
      'after',
      examples([
        ['botctl build', 'build (or find) the release of every bot'],
        ['botctl build barnacles --json', 'one bot\'s release id and the versions it holds'],
        ['BOTCTL_NPM_OFFLINE=1 botctl build', 'build from the npm cache only'],
      ]) + '\nA release id is a hash of what runs (runtime, bundled bots, installed packages), not of when it was built.\n',
    )
    .action(async (names: string[], opts: { json?: boolean }, cmd: Command) => {
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const { fleetPath, loadFleet } = await import('../src/fleet/load.js');
      const { buildFleetReleases, selectBots } = await import('../src/release/fleet.js');
      const fleet = await loadFleet(fleetPath(global.file));
      const releases = await buildFleetReleases(fleet, selectBots(fleet, names));
      const { print, printJson, table } = await import('../src/ui/output.js');
      if (opts.json) return printJson(releases);
      print(table(['bot', 'release', 'dependencies', ''], releases.map((r) => [r.bot, r.release, Object.entries(r.dependencies).filter(([p]) => p === 'ws' || p === 'undici').map(([p, v]) => `${p} ${v}`).join(', '), r.built ? 'built' : 'cached'])));
    });
}
