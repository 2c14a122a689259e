import { spawn } from 'node:child_process';

export interface SpawnResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** ENOENT, EACCES...: the program could not be started at all. */
  spawnError?: NodeJS.ErrnoException;
}

/**
 * Runs a program without a shell. node:child_process rather than execa on this path: execa's
 * import alone costs ~70 ms, and every status call pays it.
 */
export function spawnCollect(
  file: string,
  args: readonly string[],
  opts: { stdin?: string | Buffer; timeoutMs?: number; onStdout?: (c: Buffer) => void; onStderr?: (c: Buffer) => void } = {},
): Promise<SpawnResult> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let spawnError: NodeJS.ErrnoException | undefined;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, opts.timeoutMs)
      : undefined;
    child.stdout!.on('data', (c: Buffer) => {
      out.push(c);
      opts.onStdout?.(c);
    });
    child.stderr!.on('data', (c: Buffer) => {
      err.push(c);
      opts.onStderr?.(c);
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      spawnError = e;
    });
    if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), timedOut, ...(spawnError && { spawnError }) });
    });
  });
}
