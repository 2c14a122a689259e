import type { BotDefinition, BotInfo, IncomingMessage } from './bot.js';
import { HttpError } from './http.js';
import type { EventLog } from './log.js';
import { DeadlineError, withDeadline } from './retry.js';
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

/** Where a message came from: the live socket, or a catch-up that found it. */
export type Source = 'socket' | 'catchup' | 'poll';

/**
 * Runs the bot's handlers: each message once (claimed by id), with a deadline, off the
 * connection's path so nothing a handler does can stall reconnection (incident 003).
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
    /** Called when a failed message should be offered again soon. */
    private readonly onRetry: () => void,
  ) {
    // From SIGTERM on, nothing new starts; what is in hand finishes during drain().
    signal.addEventListener('abort', () => (this.accepting = false), { once: true });
  }

  /**
   * Offers a message by id. `load` fetches it (null: not for this bot, e.g. its own post);
   * `reply` posts into its room. Returns false when it was already handled or in hand.
   */
  offer(id: string, created: string, source: Source, load: () => Promise<IncomingMessage | null>, reply: (m: IncomingMessage, text: string) => Promise<void>): boolean {
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

  private async handle(id: string, source: Source, load: () => Promise<IncomingMessage | null>, reply: (m: IncomingMessage, text: string) => Promise<void>): Promise<void> {
    const started = performance.now();
    try {
      const message = await load();
      if (!message) {
        this.state.done(id);
        return;
      }
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
      await withDeadline(Promise.resolve(this.route(message, ctx)), this.opts.timeoutMs, `handler for ${id} ran past ${this.opts.timeoutMs} ms`);
      this.counters.handled++;
      this.log.info('message.handled', { id, durationMs: Math.round(performance.now() - started) });
      this.state.done(id);
    } catch (err) {
      this.settleFailure(id, err);
    }
  }

  private settleFailure(id: string, err: unknown): void {
    if (err instanceof DeadlineError) {
      // Running it again could answer twice; it keeps running but blocks nothing.
      this.counters.timeouts++;
      this.log.warn('handler.timeout', { id, timeoutMs: this.opts.timeoutMs });
      this.state.done(id);
      return;
    }
    if (err instanceof HttpError && err.uncertain) {
      this.log.warn('reply.uncertain', { id, error: err.message });
      this.state.done(id);
      return;
    }
    this.counters.errors++;
    const attempts = this.state.failed(id);
    if (attempts >= this.opts.attempts) {
      this.log.error('handler.gave_up', { id, attempts, error: err });
      this.state.done(id);
    } else {
      this.log.warn('handler.error', { id, attempt: attempts, error: err });
      this.onRetry();
    }
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
