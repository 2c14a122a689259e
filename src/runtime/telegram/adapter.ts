import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IncomingMessage } from '../bot.js';
import type { Dispatcher } from '../dispatcher.js';
import { HttpError, type HttpClient, type RequestOptions } from '../http.js';
import { writeAtomic } from '../files.js';
import type { EventLog } from '../log.js';
import type { AdapterHooks, PlatformAdapter } from '../platform.js';
import { backoff, sleep } from '../retry.js';
import { untilStarted } from '../start.js';
import type { MessageState } from '../state.js';

export interface TelegramOptions {
  apiBase: string;
  pollTimeoutS: number;
  conflictBackoffBaseMs: number;
  conflictBackoffMaxMs: number;
  /** Conflicts this close together are one episode: the backoff keeps growing through it. */
  conflictWindowMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

interface Update { update_id: number; message?: { message_id: number; chat: { id: number }; from?: { id: number }; date: number; text?: string } }

/**
 * Telegram by long polling. The offset and the updates taken but not yet handled live in
 * run/telegram.json, so a restart neither repeats nor loses an update. A 409 (another poller
 * on this token, incident 004) is logged as `conflict` and waited out with a growing backoff,
 * keeping the lock: the process never exits into a supervisor's respawn loop.
 */
export class TelegramAdapter implements PlatformAdapter {
  private offset = 0;
  private readonly pending = new Map<number, Update>();
  private readonly file: string;
  private conflicts = 0;
  private lastEventAt?: number;
  private readonly polling = new AbortController();

  constructor(
    private readonly http: HttpClient,
    private readonly token: string,
    private readonly opts: TelegramOptions,
    private readonly dispatcher: Dispatcher,
    private readonly state: MessageState,
    runDir: string,
    private readonly log: EventLog,
    private readonly signal: AbortSignal,
    private readonly hooks: AdapterHooks,
  ) {
    this.file = path.join(runDir, 'telegram.json');
    signal.addEventListener('abort', () => this.stop(), { once: true });
  }

  private call<T>(method: string, body: Record<string, unknown> = {}, extra: RequestOptions = {}): Promise<T> {
    return this.http.json<{ ok: boolean; result: T }>('POST', `${this.opts.apiBase}/bot${this.token}/${method}`, { body, ...extra }).then((r) => r.body.result);
  }

  async run(): Promise<void> {
    const starting = { log: this.log, hooks: this.hooks, signal: this.signal, baseMs: this.opts.backoffBaseMs };
    await untilStarted('getMe', () => this.call('getMe', {}, { idempotent: true }), starting);
    // A webhook left behind would make every getUpdates fail with 409.
    await untilStarted('deleteWebhook', () => this.call('deleteWebhook', { drop_pending_updates: false }, { idempotent: true }), starting);
    this.load();
    for (const u of this.pending.values()) this.offer(u);
    this.hooks.onReady();
    let conflict = 0;
    let lastConflictAt = 0;
    let failure = 0;
    while (!this.signal.aborted) {
      try {
        const updates = await this.call<Update[]>(
          'getUpdates',
          { offset: this.offset, timeout: this.opts.pollTimeoutS, allowed_updates: ['message'] },
          { idempotent: true, timeoutMs: this.opts.pollTimeoutS * 1000 + 10_000, signal: this.polling.signal },
        );
        // Two pollers on one token swap turns: each gets answers between 409s. Only a quiet
        // window ends the episode, so the backoff keeps growing while they fight.
        failure = 0;
        if (Date.now() - lastConflictAt > this.opts.conflictWindowMs) conflict = 0;
        this.take(updates);
      } catch (err) {
        if (this.signal.aborted) break;
        if (err instanceof HttpError && err.status === 401) throw err;
        if (err instanceof HttpError && err.status === 409) {
          this.conflicts++;
          const recurring = conflict > 0;
          lastConflictAt = Date.now();
          const waitMs = Math.min(this.opts.conflictBackoffMaxMs, this.opts.conflictBackoffBaseMs * 2 ** conflict++);
          this.log.warn('conflict', { attempt: conflict, waitMs, recurring, conflicts: this.conflicts, description: description(err) });
          await sleep(waitMs, this.signal).catch(() => undefined);
          continue;
        }
        const waitMs = backoff(failure++, this.opts.backoffBaseMs, this.opts.backoffMaxMs);
        this.log.warn('poll.retry', { attempt: failure, waitMs, error: err });
        await sleep(waitMs, this.signal).catch(() => undefined);
      }
    }
  }

  /** New updates are recorded before they are handled; the offset moves past them at once. */
  private take(updates: Update[]): void {
    const fresh = updates.filter((u) => u.update_id >= this.offset);
    if (!fresh.length) return;
    this.lastEventAt = Date.now();
    for (const u of fresh) {
      this.pending.set(u.update_id, u);
      this.offset = Math.max(this.offset, u.update_id + 1);
    }
    this.save();
    for (const u of fresh) this.offer(u);
  }

  private offer(u: Update): void {
    const m = u.message;
    if (!m?.text) {
      this.pending.delete(u.update_id);
      return;
    }
    const id = updateId(u);
    const message: IncomingMessage = { id, roomId: String(m.chat.id), personId: String(m.from?.id ?? ''), text: m.text, created: new Date(m.date * 1000) };
    this.dispatcher.offer(id, message.created.toISOString(), 'poll', async () => message, async (msg, text) => {
      await this.call('sendMessage', { chat_id: Number(msg.roomId), text });
    });
  }

  stop(): void {
    this.polling.abort(new Error('stopping'));
    this.save();
  }

  status(): Record<string, unknown> {
    return { lastEventAt: this.lastEventAt ? new Date(this.lastEventAt).toISOString() : null, conflicts: this.conflicts, offset: this.offset, pending: this.pending.size };
  }

  private load(): void {
    try {
      const saved = JSON.parse(readFileSync(this.file, 'utf8')) as { offset?: number; pending?: Update[] };
      this.offset = saved.offset ?? 0;
      for (const u of saved.pending ?? []) this.pending.set(u.update_id, u);
    } catch {
      // First start: Telegram keeps what arrived while no one polled.
    }
  }

  /** Drops what has been handled from the pending list, then writes offset and pending. */
  save(): void {
    for (const u of this.pending.values()) if (this.state.isHandled(updateId(u))) this.pending.delete(u.update_id);
    writeAtomic(this.file, JSON.stringify({ offset: this.offset, pending: [...this.pending.values()] }));
  }
}

function updateId(u: Update): string {
  return `tg-${u.update_id}`;
}

function description(err: HttpError): string {
  try {
    return (JSON.parse(err.body ?? '') as { description?: string }).description ?? err.message;
  } catch {
    return err.message;
  }
}
