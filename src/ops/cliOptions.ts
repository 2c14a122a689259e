import { BotctlError } from '../errors.js';
import { parseDuration } from '../fleet/duration.js';
import { DEFAULT_LOCK_TTL_MS } from './lock.js';

/** Turns the shared flags of mutating commands into options, refusing a bad duration. */
export function mutatingSettings(flags: { lockWait: string; readyTimeout?: string }, env: NodeJS.ProcessEnv = process.env) {
  const ms = (flag: string, text: string) => {
    const v = parseDuration(text);
    if (v === undefined) throw new BotctlError('E_USAGE', `${flag} ${JSON.stringify(text)} is not a duration (e.g. 30s, 5m)`);
    return v;
  };
  return {
    lockWaitMs: ms('--lock-wait', flags.lockWait),
    readyTimeoutMs: ms('--ready-timeout', flags.readyTimeout ?? '60s'),
    // Tests shorten the lease to see a SIGKILLed botctl's lock expire.
    lockTtlMs: Number(env.BOTCTL_LOCK_TTL_MS) || DEFAULT_LOCK_TTL_MS,
    progress: (line: string) => process.stderr.write(`${line}\n`),
  };
}
