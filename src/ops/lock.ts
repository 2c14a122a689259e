import os from 'node:os';
import { BotctlError } from '../errors.js';
import { schemas, type AgentClient, type LeaseView } from '../remote/agent.js';
import { onInterrupt } from '../shutdown.js';

export interface LockTarget { vm: string; agent: AgentClient }

export interface LockOptions {
  /** What the holder is doing, shown to whoever finds the lock held: "deploy barnacles". */
  command: string;
  /** Wait this long for a held lock before giving up (--lock-wait); 0 fails at once. */
  waitMs: number;
  ttlMs: number;
  /** Told about each wait, for a progress line. */
  onWait?: (vm: string, by: LeaseView) => void;
}

export const DEFAULT_LOCK_TTL_MS = 60_000;

export function describeLease(vm: string, l: LeaseView): string {
  return `the fleet lock on ${vm} is held by ${l.owner} (pid ${l.pid} on ${l.host}) running \`botctl ${l.command}\` since ${l.since}`;
}

/**
 * Runs `work` holding the fleet lock on every VM it touches: taken in name order (all or none),
 * renewed while held, released at the end, on an error, or on Ctrl-C.
 */
export async function withFleetLock<T>(targets: LockTarget[], opts: LockOptions, work: () => Promise<T>): Promise<T> {
  const who = { owner: `${os.userInfo().username}@${os.hostname()}`, 'owner-host': os.hostname(), 'owner-pid': process.pid, command: opts.command };
  const held: { target: LockTarget; token: string }[] = [];
  const releaseAll = async () => {
    await Promise.allSettled(held.splice(0).map((h) => h.target.agent.call('lock-release', schemas.lockRelease, { token: h.token })));
  };
  const forget = onInterrupt(releaseAll);
  let renewer: NodeJS.Timeout | undefined;
  try {
    for (const target of [...targets].sort((a, b) => a.vm.localeCompare(b.vm))) {
      held.push({ target, token: await acquireOne(target, who, opts) });
    }
    renewer = setInterval(() => {
      for (const h of held) {
        void h.target.agent.call('lock-renew', schemas.lockRenew, { token: h.token, 'ttl-ms': opts.ttlMs }).catch(() => undefined);
      }
    }, Math.max(1_000, opts.ttlMs / 3));
    renewer.unref();
    return await work();
  } finally {
    clearInterval(renewer);
    await releaseAll();
    forget();
  }
}

async function acquireOne(target: LockTarget, who: Record<string, string | number>, opts: LockOptions): Promise<string> {
  const deadline = Date.now() + opts.waitMs;
  for (;;) {
    const r = await target.agent.call('lock-acquire', schemas.lockAcquire, { ...who, 'ttl-ms': opts.ttlMs });
    if (r.held) return r.lease.token;
    if (!r.by || Date.now() >= deadline) {
      throw new BotctlError('E_LOCK_HELD', r.by ? describeLease(target.vm, r.by) : `the fleet lock on ${target.vm} could not be taken`, {
        hint: 'wait for it to finish, or pass --lock-wait 5m; if its owner is gone and it has not expired yet: botctl lock release --force',
      });
    }
    opts.onWait?.(target.vm, r.by);
    await new Promise((r2) => setTimeout(r2, Math.min(1_000, Math.max(50, deadline - Date.now()))));
  }
}
