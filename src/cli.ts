import { Command, CommanderError } from 'commander';
import { BotctlError, isBotctlError } from './errors.js';
import { COMMANDS } from '../commands/index.js';

const VERSION = '0.1.0';

/** Builds the program; command modules hold only flags and help, their work is imported on use. */
export function buildProgram(): Command {
  const program = new Command('botctl')
    .description('Operate a fleet of chat bots on Linux VMs over SSH.')
    .version(VERSION, '-V, --version')
    .option('-f, --file <path>', 'fleet file (default: $BOTCTL_FLEET or ./fleet.yaml)')
    .option('--verbose', 'print stack traces and SSH details')
    .option('--accept-new-host-key', 'trust and record an unknown host key (like StrictHostKeyChecking=accept-new); a changed key is still refused')
    .showHelpAfterError('(run with --help for usage and examples)')
    .configureHelp({ sortSubcommands: false })
    .addHelpText(
      'after',
      `
Examples:
  botctl doctor                      check every VM of ./fleet.yaml
  botctl config --file other.yaml    show a fleet file with defaults applied
  botctl init                        write a commented starter fleet.yaml

Exit codes: 0 ok, 1 a check failed, 2 bad usage or fleet.yaml, 3 host unreachable or remote step failed,
            4 a lock is held, 130 interrupted, 70 a bug in botctl.`,
    );
  program.exitOverride();
  // addCommand does not pass settings down the way .command() does: copy them, so a bad flag on a
  // subcommand is also a usage error (exit 2) rather than commander's own process.exit(1).
  for (const define of COMMANDS) program.addCommand(define().copyInheritedSettings(program));
  return program;
}

/** Prints an error the one way botctl prints errors, and returns the exit status. */
export function report(err: unknown, verbose: boolean): number {
  if (err instanceof CommanderError) {
    // Commander already printed the message (or the help/version text).
    return err.exitCode === 0 ? 0 : 2;
  }
  if (isBotctlError(err)) {
    for (const line of err.details) process.stderr.write(`${line}\n`);
    process.stderr.write(`error [${err.code}] ${err.message}\n`);
    if (err.hint) process.stderr.write(`hint: ${err.hint}\n`);
    if (verbose) printStack(err);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`error [E_INTERNAL] ${message}\n`);
  if (verbose) printStack(err);
  else process.stderr.write('hint: this is a bug in botctl; run again with --verbose and report the stack trace\n');
  return 70;
}

function printStack(err: unknown): void {
  let cur: unknown = err;
  while (cur instanceof Error) {
    process.stderr.write(`${cur.stack ?? cur.message}\n`);
    cur = cur.cause;
    if (cur) process.stderr.write('caused by: ');
  }
}

/** The command word of argv (after global options), if any. */
export function commandWord(argv: string[]): string | undefined {
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-f' || a === '--file') i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

/** An unknown command is a usage error naming every command, even with --help after it. */
function checkCommand(program: Command, argv: string[]): void {
  const word = commandWord(argv);
  const names = program.commands.map((c) => c.name());
  if (word === undefined || word === 'help' || names.includes(word)) return;
  const near = names.filter((n) => word.includes(n) || n.includes(word) || distance(word, n) <= 2);
  throw new BotctlError('E_USAGE', `unknown command ${JSON.stringify(word)}${near.length ? ` (did you mean ${near.join(' or ')}?)` : ''}`, {
    hint: `commands: ${names.join(', ')}; botctl --help describes them`,
  });
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

export async function main(argv: string[]): Promise<void> {
  const verbose = argv.includes('--verbose');
  let interrupted = false;
  // A reader that goes away (\`botctl status | head\`) is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  // \`on\`, not \`once\`: execa's signal-exit re-raises SIGINT (killing botctl silently) when it
  // finds itself the last listener. A second Ctrl-C does not wait for the cleanups.
  process.on('SIGINT', () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    // Leave nothing half-held: release locks (bounded) before exiting.
    void import('./shutdown.js').then(({ runCleanups }) => runCleanups()).then((notes) => {
      process.exitCode = report(new BotctlError('E_INTERRUPTED', notes.length ? `interrupted: ${notes.join('; ')}` : 'interrupted'), false);
    }, () => {
      process.exitCode = report(new BotctlError('E_INTERRUPTED', 'interrupted'), false);
    }).finally(() => process.exit());
  });
  try {
    const program = buildProgram();
    checkCommand(program, argv);
    await program.parseAsync(argv);
  } catch (err) {
    // Ctrl-C also reaches the children (npm, an agent): their failure is the interrupt's to report.
    if (interrupted) return;
    process.exitCode = report(err, verbose);
  }
}

