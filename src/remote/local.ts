import { cp } from 'node:fs/promises';
import { execa } from 'execa';
import { BotctlError } from '../errors.js';
import type { Host, RunOptions, RunResult } from './host.js';

/** The `local` VM: the same argv a VM would run, executed here without a shell. */
export class LocalHost implements Host {
  readonly describe = 'local';
  constructor(readonly name: string) {}

  async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const [file, ...args] = argv;
    if (!file) throw new TypeError('LocalHost.run: empty argv');
    const started = performance.now();
    const child = execa(file, args, {
      reject: false,
      encoding: 'utf8',
      stripFinalNewline: false,
      input: options.stdin,
      stdin: options.stdin === undefined ? 'ignore' : 'pipe',
      timeout: options.timeoutMs,
    });
    if (options.onStdout) child.stdout?.on('data', options.onStdout);
    if (options.onStderr) child.stderr?.on('data', options.onStderr);
    const r = await child;
    if (r.timedOut) {
      throw new BotctlError('E_TIMEOUT', `${argv[0]} did not finish within ${options.timeoutMs} ms on local`);
    }
    if (r.failed && r.exitCode === undefined && !r.signal) {
      // Spawn failures (ENOENT, EACCES) behave like a shell's 127/126 so callers see one shape.
      const code = (r.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' ? 127 : 126;
      return { code, signal: null, stdout: '', stderr: `${file}: ${(r.cause as Error | undefined)?.message ?? r.message}\n`, durationMs: performance.now() - started };
    }
    return {
      code: r.exitCode ?? null,
      signal: r.signal ?? null,
      stdout: String(r.stdout ?? ''),
      stderr: String(r.stderr ?? ''),
      durationMs: performance.now() - started,
    };
  }

  async put(localPath: string, remotePath: string): Promise<void> {
    await cp(localPath, remotePath, { recursive: true, force: true });
  }

  async close(): Promise<void> {}
}
