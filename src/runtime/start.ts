import { HttpError } from './http.js';
import type { EventLog } from './log.js';
import type { AdapterHooks } from './platform.js';
import { backoff, sleep } from './retry.js';

/** How long a start step waits between attempts, at most: a bot booting in an outage comes up within a minute of the network. */
export const START_BACKOFF_MAX_MS = 60_000;

/** A refused token: the one failure at start that retrying cannot heal. */
export function refusedToken(err: unknown): boolean {
  return err instanceof HttpError && err.status === 401;
}

/**
 * Runs a start step (who am I, my device, ...) until it succeeds. A network error, a 5xx, a
 * timeout, even an unexpected 4xx may heal, so it is retried with capped backoff and jitter,
 * and the heartbeat says `starting` with the last error; only `fatal` errors (a refused token)
 * end the process. Rejects when the process is stopping.
 */
export async function untilStarted<T>(
  step: string,
  run: () => Promise<T>,
  o: { log: EventLog; hooks: AdapterHooks; signal: AbortSignal; baseMs: number; fatal?: (err: unknown) => boolean },
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (o.signal.aborted || (o.fatal ?? refusedToken)(err)) throw err;
      const waitMs = backoff(attempt, o.baseMs, START_BACKOFF_MAX_MS);
      const error = (err as Error).message;
      o.log.warn('start.retry', { step, attempt: attempt + 1, waitMs, error });
      o.hooks.onStartError(`${step}: ${error}`);
      await sleep(waitMs, o.signal);
    }
  }
}
