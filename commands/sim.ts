import { Command } from 'commander';
import { examples, type GlobalOptions } from './help.js';

export default function simCommand(): Command {
  return new Command('sim')
    .description('Run the platform simulator for the local fleet (Webex API shapes, fault injection)')
    .option('--port <n>', 'port to listen on', '8790')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--state <file>', 'write {pid, url} here once listening (how `botctl up` runs it in the background)')
    .addHelpText(
      'after',
      examples([
        ['botctl sim', 'serve the simulator for ./fleet.yaml on 127.0.0.1:8790 until Ctrl-C'],
        ['curl -s localhost:8790/_sim/say -d \'{"bot":"jarvis","text":"/status"}\'', 'speak to a bot as the ops user'],
        ['curl -s \'localhost:8790/_sim/messages?bot=jarvis\'', 'read the conversation'],
        ['curl -s localhost:8790/_sim/faults -d \'{"bot":"tars","stale":true}\'', 'make tars\'s socket go silent (incident 002)'],
        ['curl -s localhost:8790/_sim/telegram/say -d \'{"bot":"jarvis-tg","text":"/status"}\'', 'the same for a Telegram bot (/_sim/telegram/...)'],
      ]) +
        '\nFaults: {"kill":true} {"stale":true} {"freeze":true} {"dropPongs":true} {"restDelayMs":1500} {"holdBack":{"next":1,"every":0}}\n' +
        '        {"rateLimit":{"remaining":5,"retryAfterS":2}} {"serverErrors":{"remaining":3,"status":503}}\n' +
        'Telegram faults: {"rateLimit":{"remaining":5,"retryAfterS":2}} {"unauthorized":true}\n',
    )
    .action(async (opts: { port: string; host: string; state?: string }, cmd: Command) => {
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const { fleetPath, loadFleet } = await import('../src/fleet/load.js');
      const { startFleetSim } = await import('../src/sim/local.js');
      const { print, table } = await import('../src/ui/output.js');
      const fleet = await loadFleet(fleetPath(global.file));
      const { sim, bots } = await startFleetSim(fleet, Number(opts.port), opts.host);
      print(`simulator on ${sim.baseUrl}  (Webex REST ${sim.webex.urls.apiBase}, Telegram ${sim.baseUrl}/bot<token>/..., control ${sim.baseUrl}/_sim)`);
      print(table(['bot', 'platform', 'token', 'conversation'], bots.map((b) => [b.bot, b.platform, b.tokenFrom, b.chat])));
      print('Ctrl-C to stop');
      if (opts.state) {
        const { writeAtomic } = await import('../src/runtime/files.js');
        writeAtomic(opts.state, JSON.stringify({ pid: process.pid, url: sim.baseUrl }));
      }
      await new Promise(() => {});
    });
}
