import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { writeAtomic } from './files.js';
import type { EventLog } from './log.js';
import { sleep } from './retry.js';

/** The one-instance lock of a bot, held for the life of the process. */
export interface InstanceLock {
  release(): Promise<void>;
}

/** Thrown when another instance held the lock for the whole wait. */
export class LockTimeoutError extends Error {
  override name = 'LockTimeoutError';
}

const RETRY_MS = 100;

/**
 * Takes the bot's lock, waiting up to `waitMs` while another live instance holds it.
 *
 * The lock is a Linux abstract-namespace socket named after the run directory: binding it is
 * atomic, and the kernel frees it the moment its holder dies, so a dead holder is taken over at
 * once with no stale file to judge and no pid-reuse race. `run/lock.json` records the holder for
 * people and for `botctl status`; it is informational only.
 */
export async function acquireLock(runDir: string, waitMs: number, log: EventLog, signal?: AbortSignal): Promise<InstanceLock> {
  const name = `\0botctl-instance-${createHash('sha256').update(realpathSync(runDir)).digest('hex').slice(0, 40)}`;
  const info = path.join(runDir, 'lock.json');
  const deadline = Date.now() + waitMs;
  let announced = false;
  for (;;) {
    const server = net.createServer((c) => c.destroy());
    const bound = await new Promise<boolean>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(false) : reject(err)));
      server.listen({ path: name }, () => resolve(true));
    });
    if (bound) {
      writeAtomic(info, JSON.stringify({ pid: process.pid, since: new Date().toISOString() }));
      log.info('lock.acquired', { waitedMs: waitMs - Math.max(0, deadline - Date.now()) });
      return {
        release: async () => {
          rmSync(info, { force: true });
          await new Promise<void>((r) => server.close(() => r()));
        },
      };
    }
    if (!announced) {
      log.warn('lock.waiting', { holder: readHolder(info), waitMs });
      announced = true;
    }
    if (Date.now() >= deadline) {
      log.error('lock.timeout', { holder: readHolder(info), waitedMs: waitMs });
      throw new LockTimeoutError(`another instance held the lock for ${waitMs} ms`);
    }
    await sleep(Math.min(RETRY_MS, Math.max(1, deadline - Date.now())), signal);
  }
}

function readHolder(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}
