import { cp } from 'node:fs/promises';
import { BotctlError } from '../errors.js';
import type { Host, RunOptions, RunResult } from './host.js';
import { spawnCollect } from './spawn.js';

/** The `local` VM: the same argv a VM would run, executed here without a shell. */
export class LocalHost implements Host {
  readonly describe = 'local';
  constructor(readonly name: string) {}

  async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const [file, ...args] = argv;
    if (!file) throw new TypeError('LocalHost.run: empty argv');
    const started = performance.now();
    const r = await spawnCollect(file, args, options);
    if (r.timedOut) throw new BotctlError('E_TIMEOUT', `${argv[0]} did not finish within ${options.timeoutMs} ms on local`);
    if (r.spawnError) {
      // Spawn failures (ENOENT, EACCES) behave like a shell's 127/126 so callers see one shape.
      return { code: r.spawnError.code === 'ENOENT' ? 127 : 126, signal: null, stdout: '', stderr: `${file}: ${r.spawnError.message}\n`, durationMs: performance.now() - started };
    }
    return { code: r.code, signal: r.signal, stdout: r.stdout, stderr: r.stderr, durationMs: performance.now() - started };
  }

  async put(localPath: string, remotePath: string): Promise<void> {
    await cp(localPath, remotePath, { recursive: true, force: true });
  }

  async close(): Promise<void> {}
}
