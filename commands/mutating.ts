import type { Command } from 'commander';

/** Options every command that changes a VM shares; `--ready-timeout` only where bots are started. */
export function mutatingOptions(cmd: Command, opts: { starts: boolean } = { starts: true }): Command {
  cmd.option('--lock-wait <duration>', 'wait this long for another operator\'s fleet lock (e.g. 5m)', '0s');
  if (opts.starts) cmd.option('--ready-timeout <duration>', 'how long a (re)started bot has to report ready', '60s');
  return cmd.option('--dry-run', 'print the plan (VMs, bots, steps) and change nothing');
}

export interface MutatingFlags { lockWait: string; readyTimeout?: string; json?: boolean; all?: boolean; dryRun?: boolean }
