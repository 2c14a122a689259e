import { Command } from 'commander';
import { examples, withOps, type GlobalOptions } from './help.js';
import { mutatingOptions, type MutatingFlags } from './mutating.js';

export const upCommand = () =>
  mutatingOptions(new Command('up').description('Deploy and start every bot; with the local fleet, start the simulator first').option('--json', 'print the outcome as JSON'))
    .addHelpText('after', examples([
      ['botctl up', 'the built-in local fleet: simulator + seven bots, no account needed'],
      ['botctl --file fleet.example-vm.yaml up', 'a real VM: deploy --all'],
      ['botctl up --dry-run', 'the plan: releases to build and upload, bots to start'],
    ]) + '\nThe local demo runs when fleet.yaml has a local VM and sets no platforms: its bots talk to the simulator with demo tokens.\n')
    .action(async (flags: MutatingFlags, cmd: Command) => {
      const { deploy } = await import('../src/ops/deploy.js');
      const { demoSettings, running, stopSim } = await import('../src/ops/demo.js');
      const { selectBots } = await import('../src/release/fleet.js');
      const { mutatingSettings } = await import('../src/ops/cliOptions.js');
      const { renderDeploy } = await import('../src/ui/deploy.js');
      const { onInterrupt } = await import('../src/shutdown.js');
      await withOps(cmd, async (fleet, ops) => {
        const bots = selectBots(fleet, undefined);
        const hadSim = running(fleet) !== null;
        const started: string[] = [];
        // Ctrl-C: take back a simulator nothing uses yet, else say exactly what is left running.
        const forget = onInterrupt(async () => {
          if (!started.length && !hadSim && stopSim(fleet)) return 'stopped the simulator it had started; nothing else was changed';
          const sim = running(fleet);
          return `left running: ${[sim ? `the simulator (pid ${sim.pid})` : '', started.length ? `${started.join(', ')}` : ''].filter(Boolean).join(' and ') || 'nothing'}; \`botctl down\` stops them`;
        });
        // A dry run starts no simulator: the demo's platforms are only needed to start bots.
        const demo = await demoSettings(fleet, bots, { start: !flags.dryRun });
        const settings = mutatingSettings(flags);
        const result = await deploy(fleet, ops, bots, {
          ...settings, command: 'up', prune: false, dryRun: Boolean(flags.dryRun),
          ...(demo && { secrets: demo.secrets, platforms: demo.platforms }),
          started: (bot) => started.push(bot),
        }).catch((err: unknown) => {
          // A failed build or rollout takes back a simulator no bot of this run uses yet.
          if (!started.length && !hadSim) stopSim(fleet);
          throw err;
        }).finally(forget);
        renderDeploy(result, Boolean(flags.json));
        if (demo && !flags.dryRun && !flags.json) process.stdout.write(`simulator on ${demo.url}; try: botctl say ${bots[0]?.name ?? '<bot>'} /status\n`);
      });
    });

export const downCommand = () =>
  mutatingOptions(new Command('down').description('Stop every deployed bot; with the local fleet, stop the simulator too'), { starts: false })
    .addHelpText('after', examples([['botctl down', 'stop the local demo'], ['botctl down --dry-run', 'what would be stopped']]))
    .action(async (flags: MutatingFlags, cmd: Command) => {
      const { control } = await import('../src/ops/control.js');
      const { fleetStatus } = await import('../src/ops/status.js');
      const { running: simRunning, stopSim } = await import('../src/ops/demo.js');
      const { mutatingSettings } = await import('../src/ops/cliOptions.js');
      await withOps(cmd, async (fleet, ops) => {
        const rows = await fleetStatus(fleet, ops, Object.keys(fleet.vms));
        const deployed = rows.filter((r) => !r.orphan && r.state !== 'not deployed' && r.state !== 'unreachable').map((r) => fleet.bots[r.bot]!);
        if (flags.dryRun) {
          const plan = deployed.length ? await control(ops, deployed, 'stop', { ...mutatingSettings(flags), command: 'down', dryRun: true }) : [];
          process.stdout.write(`dry run: nothing was changed\n${plan.map((p) => `${p.vm}/${p.bot}: ${p.result}\n`).join('')}${simRunning(fleet) ? 'would stop the simulator\n' : ''}`);
          return;
        }
        const out = deployed.length ? await control(ops, deployed, 'stop', { ...mutatingSettings(flags), command: 'down' }) : [];
        const n = out.filter((o) => o.result.startsWith('stopped')).length;
        const sim = stopSim(fleet);
        process.stdout.write(`${n ? `stopped ${n} bot${n === 1 ? '' : 's'}${sim ? ' and the simulator' : ''}` : `no bot was running${sim ? '; stopped the simulator' : ''}`}\n`);
      });
    });

export const sayCommand = () =>
  new Command('say')
    .description('Send a message to a bot through the local simulator, as the ops user, and print its answer')
    .argument('<bot>', 'the bot')
    .argument('<text...>', 'what to say')
    .option('--timeout <duration>', 'how long to wait for the answer', '10s')
    .addHelpText('after', examples([['botctl say jarvis /status', 'ask the status bot what it runs'], ['botctl say tars hello there', 'an echo']]))
    .action(async (bot: string, words: string[], opts: { timeout: string }, cmd: Command) => {
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const { fleetPath, loadFleet } = await import('../src/fleet/load.js');
      const { simUrl } = await import('../src/ops/demo.js');
      const { say } = await import('../src/sim/client.js');
      const { parseDuration } = await import('../src/fleet/duration.js');
      const fleet = await loadFleet(fleetPath(global.file));
      const answer = await say(simUrl(fleet), fleet, bot, words.join(' '), parseDuration(opts.timeout) ?? 10_000);
      process.stdout.write(`${answer}\n`);
    });
