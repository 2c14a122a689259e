/**
 * Quotes one argument for a POSIX shell. Everything outside single quotes is inert there, so the
 * only character to handle is the single quote itself: close, emit \', reopen.
 */
export function shellQuote(arg: string): string {
  if (arg === '') return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The one way an argv array becomes the command line an SSH server hands to the login shell. */
export function quoteArgv(argv: readonly string[]): string {
  if (argv.length === 0) throw new TypeError('quoteArgv: empty argv');
  for (const a of argv) {
    // NUL cannot travel in an exec request or a C string; refuse instead of truncating silently.
    if (a.includes('\0')) throw new TypeError('quoteArgv: argument contains a NUL byte');
  }
  return argv.map(shellQuote).join(' ');
}

/**
 * A fixed shell script plus its arguments, run as `sh -c SCRIPT sh ARG...`: user strings arrive as
 * "$1", "$2", ... and are never parsed as shell text.
 */
export function shScript(script: string, args: readonly string[] = []): string[] {
  return ['sh', '-c', script, 'sh', ...args];
}
