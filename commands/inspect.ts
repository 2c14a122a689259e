import { Command } from 'commander';
import { examples, positiveInt, withOps } from './help.js';

export const logsCommand = () =>
  new Command('logs')
    .description('Show a bot\'s log (JSON lines rendered for people), read on its VM')
    .argument('<bot>', 'the bot')
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .option('-n, --lines <n>', 'how many lines of the tail', positiveInt, 50)
    .option('--since <duration>', 'only lines newer than this (e.g. 1h)')
    .option('--grep <text>', 'only lines containing this text (literal)')
    .option('--raw', 'print the JSON lines as they are')
    .addHelpText('after', examples([
      ['botctl logs barnacles', 'the last 50 lines'],
      ['botctl logs barnacles -f --grep ws.', 'follow the WebSocket events'],
      ['botctl logs jarvis --since 1h --raw | jq .event', 'an hour of raw events for jq'],
    ]))
    .action(async (bot: string, opts: { follow?: boolean; lines: number; since?: string; grep?: string; raw?: boolean }, cmd: Command) => {
      const { readLogs } = await import('../src/ops/inspect.js');
      const { renderLogLine } = await import('../src/ui/logs.js');
      const { sinceIso } = await import('../src/fleet/duration.js');
      const since = opts.since ? sinceIso(opts.since) : undefined;
      if (opts.since && !since) {
        const { BotctlError } = await import('../src/errors.js');
        throw new BotctlError('E_USAGE', `--since ${JSON.stringify(opts.since)} is not a duration (e.g. 30m, 24h)`);
      }
      await withOps(cmd, async (fleet, ops) => {
        let chunk = await readLogs(fleet, ops, bot, { offset: -1, limit: opts.lines, since, grep: opts.grep });
        for (const l of chunk.lines) process.stdout.write(`${renderLogLine(l, Boolean(opts.raw))}\n`);
        while (opts.follow) {
          await new Promise((r) => setTimeout(r, 1_000));
          chunk = await readLogs(fleet, ops, bot, { offset: chunk.offset, limit: 10_000, grep: opts.grep });
          for (const l of chunk.lines) process.stdout.write(`${renderLogLine(l, Boolean(opts.raw))}\n`);
        }
      });
    });

export const historyCommand = () =>
  new Command('history')
    .description('Show the ledger: who did what, when, from which release to which, with what result')
    .argument('[bot]', 'only this bot')
    .option('-n, --lines <n>', 'how many entries', positiveInt, 50)
    .option('--json', 'print the entries as JSON')
    .addHelpText('after', examples([['botctl history', 'the fleet\'s last 50 steps'], ['botctl history barnacles --json', 'one bot, for scripts']]))
    .action(async (bot: string | undefined, opts: { lines: number; json?: boolean }, cmd: Command) => {
      const { history } = await import('../src/ops/inspect.js');
      const { print, printJson, table } = await import('../src/ui/output.js');
      const entries = await withOps(cmd, (fleet, ops) => history(fleet, ops, bot, opts.lines));
      if (opts.json) return printJson(entries);
      print(table(['time', 'who', 'command', 'vm', 'bot', 'action', 'from -> to', 'result'], entries.map((e) => [
        String(e.time).replace('T', ' ').slice(0, 19), String(e.who), String(e.command), String(e.vm), String(e.bot ?? '-'), String(e.action),
        `${e.from ?? '-'} -> ${e.to ?? '-'}`, e.result === 'ok' ? 'ok' : `${String(e.result)}: ${String(e.error ?? '')}`,
      ])));
    });

export const lockCommand = () => {
  const lock = new Command('lock').description('See or release the fleet lock');
  lock.addCommand(new Command('status').description('Who holds the fleet lock on each VM').option('--json', 'as JSON')
    .addHelpText('after', examples([['botctl lock status', 'every VM']]))
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { lockStatus } = await import('../src/ops/inspect.js');
      const { print, printJson, table } = await import('../src/ui/output.js');
      const rows = await withOps(cmd, (fleet, ops) => lockStatus(fleet, ops, Object.keys(fleet.vms)));
      if (opts.json) return printJson(rows);
      print(table(['vm', 'held by', 'command', 'since', 'expires', ''], rows.map((r) => r.lease
        ? [r.vm, `${r.lease.owner} (pid ${r.lease.pid})`, r.lease.command, r.lease.since, r.lease.expires, r.stale ? 'stale' : 'live']
        : [r.vm, '-', '-', '-', '-', 'free'])));
    }));
  lock.addCommand(new Command('release').description('Release stale fleet locks; --force also a live one').option('--force', 'release even a live lease')
    .option('--dry-run', 'say which leases would be released, and release nothing')
    .addHelpText('after', examples([
      ['botctl lock release', 'clear stale leases'],
      ['botctl lock release --force', 'take it from a botctl you know is gone'],
      ['botctl lock release --force --dry-run', 'whose lease that would take'],
    ]))
    .action(async (opts: { force?: boolean; dryRun?: boolean }, cmd: Command) => {
      const { lockRelease } = await import('../src/ops/inspect.js');
      const released = await withOps(cmd, (fleet, ops) => lockRelease(fleet, ops, Object.keys(fleet.vms), Boolean(opts.force), Boolean(opts.dryRun)));
      const verb = opts.dryRun ? 'would release' : 'released';
      process.stdout.write(`${opts.dryRun ? 'dry run: nothing was changed\n' : ''}${released.length ? released.map((r) => `${verb} the lock on ${r.vm} (${r.lease!.owner}: ${r.lease!.command})\n`).join('') : 'no lock was held\n'}`);
    }));
  return lock;
};
