import type { BotDefinition, BotInfo, IncomingMessage } from './bot.js';
import { HttpError } from './http.js';
import type { EventLog } from './log.js';
import { DeadlineError, sleep, withDeadline } from './retry.js';
import type { MessageState } from './state.js';

export interface Counters {
  received: number;
  handled: number;
  replied: number;
  duplicates: number;
  errors: number;
  timeouts: number;
}

export interface DispatchOptions {
  timeoutMs: number;
  attempts: number;
}

/** Where a message came from: the live socket, a catch-up that found it, or a long poll. */
export type Source = 'socket' | 'catchup' | 'poll';

// A handler past its deadline keeps running; after this many deadlines it is abandoned.
const ABANDON_AFTER = 10;
const RETRY_BASE_MS = 1_000;

class Abandoned extends Error {}

type Load = () => Promise<IncomingMessage | null>;
type Reply = (m: IncomingMessage, text: string) => Promise<void>;

/**
 * Runs the bot's handlers: each message once (claimed by id), off the connection's path so
 * nothing a handler does can stall reconnection (incident 003). A deadline only logs and frees
 * nothing but the connection's worry: the outcome is what the handler finally does. A failure
 * is retried here, with the claim kept, up to `attempts`.
 */
export class Dispatcher {
  readonly counters: Counters = { received: 0, handled: 0, replied: 0, duplicates: 0, errors: 0, timeouts: 0 };
  private readonly running = new Set<Promise<void>>();
  private accepting = true;

  constructor(
    private readonly def: BotDefinition,
    private readonly state: MessageState,
    private readonly log: EventLog,
    private readonly info: BotInfo,
    private readonly opts: DispatchOptions,
    private readonly signal: AbortSignal,
  ) {
    // From SIGTERM on, nothing new starts; what is in hand finishes during drain().
    signal.addEventListener('abort', () => (this.accepting = false), { once: true });
  }

  /**
   * Offers a message by id. `load` fetches it (null: not for this bot, e.g. its own post);
   * `reply` posts into its room. Returns false when it was already handled or in hand.
   */
  offer(id: string, created: string, source: Source, load: Load, reply: Reply): boolean {
    if (!this.accepting) return false;
    if (!this.state.claim(id, created)) {
      this.counters.duplicates++;
      this.log.info('message.duplicate', { id, source });
      return false;
    }
    const run = this.handle(id, source, load, reply).finally(() => this.running.delete(run));
    this.running.add(run);
    return true;
  }

  private async handle(id: string, source: Source, load: Load, reply: Reply): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        const message = await load();
        if (message) await this.runHandler(id, source, message, reply);
        this.state.done(id);
        return;
      } catch (err) {
        const next = this.settle(id, err, attempt);
        if (next === 'done') this.state.done(id);
        if (next !== 'retry') return;
        this.log.warn('handler.error', { id, attempt, error: err, durationMs: Math.round(performance.now() - started) });
        // Left pending on shutdown: the next start offers it again.
        const waited = await sleep(RETRY_BASE_MS * 2 ** (attempt - 1), this.signal).then(() => true, () => false);
        if (!waited) return;
      }
    }
  }

  private async runHandler(id: string, source: Source, message: IncomingMessage, reply: Reply): Promise<void> {
    const started = performance.now();
    this.counters.received++;
    this.log.info('message.received', { id, source, roomId: message.roomId });
    const ctx = {
      info: this.info,
      signal: this.signal,
      reply: async (text: string) => {
        await reply(message, text);
        this.counters.replied++;
        this.log.info('reply.sent', { id, roomId: message.roomId });
      },
    };
    const work = Promise.resolve().then(() => this.route(message, ctx));
    try {
      await withDeadline(work, this.opts.timeoutMs, `handler for ${id} ran past ${this.opts.timeoutMs} ms`);
    } catch (err) {
      if (!(err instanceof DeadlineError)) throw err;
      this.counters.timeouts++;
      this.log.warn('handler.timeout', { id, timeoutMs: this.opts.timeoutMs });
      await withDeadline(work, this.opts.timeoutMs * (ABANDON_AFTER - 1), 'abandoned').catch((e: unknown) => {
        throw e instanceof DeadlineError ? new Abandoned(`handler for ${id} never finished`) : e;
      });
    }
    this.counters.handled++;
    this.log.info('message.handled', { id, durationMs: Math.round(performance.now() - started) });
  }

  /**
   * What a failure leads to: another attempt; done (an uncertain reply, or given up); or left
   * pending because the process is stopping, so the next start offers it again.
   */
  private settle(id: string, err: unknown, attempt: number): 'retry' | 'done' | 'leave' {
    if (err instanceof HttpError && err.uncertain) {
      // The reply may have been posted: repeating it could answer twice.
      this.log.warn('reply.uncertain', { id, error: err.message });
      return 'done';
    }
    this.counters.errors++;
    if (this.signal.aborted && !(err instanceof Abandoned)) return 'leave';
    if (err instanceof Abandoned || attempt >= this.opts.attempts) {
      this.log.error('handler.gave_up', { id, attempts: attempt, error: err });
      return 'done';
    }
    return 'retry';
  }

  private route(message: IncomingMessage, ctx: Parameters<NonNullable<BotDefinition['onMessage']>>[1]): Promise<void> | void {
    const m = /^\/(\S+)\s*([\s\S]*)$/.exec(message.text.trim());
    const command = m ? this.def.commands?.[m[1]!] : undefined;
    if (command) return command(m![2]!, message, ctx);
    return this.def.onMessage?.(message, ctx);
  }

  /** Stops taking messages and waits (bounded) for the ones in hand. */
  async drain(graceMs: number): Promise<void> {
    this.accepting = false;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.running]), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
  }

  get inFlight(): number {
    return this.running.size;
  }
}
