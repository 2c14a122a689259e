import type { IncomingMessage } from '../bot.js';
import type { Dispatcher } from '../dispatcher.js';
import type { EventLog } from '../log.js';
import { backoff, sleep } from '../retry.js';
import type { MessageState } from '../state.js';
import { messageId, personUuid, type WebexApi, type WebexMessage, type WebexPerson, type WebexRoom } from './api.js';
import type { AdapterHooks, PlatformAdapter } from '../platform.js';
import { AuthRefusedError, WebexConnection, type ConnectionOptions, type PostActivity } from './connection.js';

export interface WebexAdapterOptions extends ConnectionOptions {
  maxConnectionAgeMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  quietMs: number;
  catchUpRooms: number;
  pageSize: number;
  deviceName: string;
}

/**
 * Keeps one live device socket (reconnecting with backoff and jitter, replacing it before it
 * gets old) and makes sure no message is lost: every (re)connect, and every quiet spell, is
 * followed by a catch-up over REST.
 */
export class WebexAdapter implements PlatformAdapter {
  current?: WebexConnection;
  reconnects = 0;
  connectedAt?: number;
  lastEventAt?: number;
  private me!: WebexPerson;
  private meUuid = '';
  private wsUrl = '';
  private catchUpRunning?: Promise<void>;
  private catchUpAgain = false;
  private quietTimer?: NodeJS.Timeout;
  private ageTimer?: NodeJS.Timeout;

  constructor(
    private readonly api: WebexApi,
    private readonly token: string,
    private readonly opts: WebexAdapterOptions,
    private readonly dispatcher: Dispatcher,
    private readonly state: MessageState,
    private readonly log: EventLog,
    private readonly signal: AbortSignal,
    private readonly hooks: AdapterHooks,
  ) {}

  /** Runs until the signal aborts; throws only what retrying cannot fix (AuthRefusedError, 401). */
  async run(): Promise<void> {
    // Shutdown must wake the loop, which otherwise waits on the open socket.
    this.signal.addEventListener('abort', () => this.stop(), { once: true });
    this.me = await this.api.me();
    this.meUuid = personUuid(this.me.id);
    const { device, registered } = await this.api.device(this.opts.deviceName);
    this.log.info(registered ? 'device.registered' : 'device.found', { name: this.opts.deviceName });
    this.wsUrl = device.webSocketUrl;
    let attempt = 0;
    let lostAt: number | undefined;
    let ready = false;
    this.quietTimer = setInterval(() => this.checkQuiet(), Math.max(10, Math.min(this.opts.quietMs / 4, 1_000)));
    try {
      while (!this.signal.aborted) {
        const conn = this.connection();
        try {
          await conn.open();
        } catch (err) {
          if (err instanceof AuthRefusedError || this.signal.aborted) throw err;
          const waitMs = backoff(attempt++, this.opts.backoffBaseMs, this.opts.backoffMaxMs);
          this.log.warn('ws.reconnect_scheduled', { attempt, waitMs, error: (err as Error).message });
          await sleep(waitMs, this.signal).catch(() => undefined);
          continue;
        }
        attempt = 0;
        this.adopt(conn);
        if (lostAt !== undefined) {
          this.reconnects++;
          this.log.info('ws.reconnected', { conn: conn.id, durationMs: Date.now() - lostAt, reconnects: this.reconnects });
        }
        this.catchUp(ready ? 'reconnect' : 'start');
        if (!ready) {
          ready = true;
          await this.catchUpRunning;
          this.hooks.onReady();
        }
        // A proactive replacement swaps `current` under us: follow it instead of reconnecting.
        while (this.current?.alive) await this.current.closed;
        if (this.signal.aborted) break;
        lostAt = Date.now();
        this.hooks.onState('reconnecting');
        const waitMs = backoff(0, this.opts.backoffBaseMs, this.opts.backoffMaxMs);
        this.log.info('ws.reconnect_scheduled', { attempt: 1, waitMs });
        await sleep(waitMs, this.signal).catch(() => undefined);
      }
    } finally {
      clearInterval(this.quietTimer);
      clearTimeout(this.ageTimer);
    }
  }

  private connection(): WebexConnection {
    return new WebexConnection(this.wsUrl, this.token, this.opts, this.log, (a) => this.onPost(a));
  }

  private adopt(conn: WebexConnection): void {
    this.current = conn;
    this.connectedAt = conn.openedAt;
    this.hooks.onState('ready');
    this.log.info('ws.connected', { conn: conn.id });
    clearTimeout(this.ageTimer);
    this.ageTimer = setTimeout(() => void this.replace(conn), this.opts.maxConnectionAgeMs);
  }

  /** Proactive reconnection: the new socket is open and authorized before the old one closes. */
  private async replace(old: WebexConnection): Promise<void> {
    if (this.signal.aborted || this.current !== old || !old.alive) return;
    this.log.info('ws.proactive_reconnect', { conn: old.id, ageMs: Date.now() - old.openedAt });
    const fresh = this.connection();
    try {
      await fresh.open();
    } catch (err) {
      // Keep the old socket; try again after a backoff rather than dropping a working link.
      this.log.warn('ws.reconnect_scheduled', { attempt: 1, waitMs: this.opts.backoffMaxMs, error: (err as Error).message });
      this.ageTimer = setTimeout(() => void this.replace(old), this.opts.backoffMaxMs);
      return;
    }
    this.reconnects++;
    this.adopt(fresh);
    this.log.info('ws.reconnected', { conn: fresh.id, durationMs: 0, reconnects: this.reconnects, proactive: true });
    old.close('replaced by a newer connection');
    this.catchUp('reconnect');
  }

  private onPost(a: PostActivity): void {
    this.lastEventAt = Date.now();
    // The bot's own replies come back as activities too; skip them without a REST call.
    if (a.actorUuid === this.meUuid) return;
    const id = messageId(a.uuid);
    this.dispatcher.offer(id, a.published, 'socket', async () => this.incoming(await this.api.message(id)), (m, text) => this.api.post(m.roomId, text));
  }

  private incoming(m: WebexMessage): IncomingMessage | null {
    if (m.personId === this.me.id) return null;
    let text = m.text ?? '';
    // In group rooms the text starts with the bot's name, as the mention reads.
    if (m.roomType === 'group' && text.startsWith(this.me.displayName)) text = text.slice(this.me.displayName.length).trimStart();
    return { id: m.id, roomId: m.roomId, personId: m.personId, text, created: new Date(m.created) };
  }

  private lastCatchUpAt = 0;

  private checkQuiet(): void {
    const conn = this.current;
    if (!conn?.alive || this.catchUpRunning) return;
    if (Date.now() - Math.max(conn.lastMessageAt, this.lastCatchUpAt) >= this.opts.quietMs) this.catchUp('quiet');
  }

  /** Runs one catch-up at a time; a request during a run schedules exactly one more. */
  catchUp(reason: 'start' | 'reconnect' | 'quiet' | 'retry'): void {
    if (this.catchUpRunning) {
      this.catchUpAgain = true;
      return;
    }
    this.catchUpRunning = this.runCatchUp(reason).finally(() => {
      this.catchUpRunning = undefined;
      this.lastCatchUpAt = Date.now();
      if (this.catchUpAgain && !this.signal.aborted) {
        this.catchUpAgain = false;
        this.catchUp('retry');
      }
    });
  }

  private async runCatchUp(reason: string): Promise<void> {
    const started = Date.now();
    const since = this.state.since();
    this.log.info('catchup.start', { reason, since });
    try {
      const rooms = (await this.api.rooms(this.opts.catchUpRooms)).filter((r) => r.lastActivity > since);
      let found = 0;
      for (const room of rooms) found += await this.catchUpRoom(room, since);
      this.log.info('catchup.done', { reason, rooms: rooms.length, found, durationMs: Date.now() - started });
      // Messages the open socket should have delivered mean it is stale (incident 002).
      if (reason === 'quiet' && found > 0 && this.current?.alive) {
        this.log.warn('ws.stale', { conn: this.current.id, missed: found });
        this.current.terminate('stale: catch-up found undelivered messages');
      }
    } catch (err) {
      if (!this.signal.aborted) this.log.warn('catchup.failed', { reason, error: err });
    }
  }

  /** Pages back through a room until the cursor; offers what is new, oldest first. */
  private async catchUpRoom(room: WebexRoom, since: string): Promise<number> {
    const missed: WebexMessage[] = [];
    let url: string | undefined = this.api.firstPage(room, this.opts.pageSize);
    while (url) {
      const page = await this.api.page(url);
      const fresh = page.items.filter((m) => m.created > since);
      missed.push(...fresh.filter((m) => m.personId !== this.me.id && !this.state.isHandled(m.id)));
      url = fresh.length === page.items.length ? page.next : undefined;
    }
    let offered = 0;
    for (const m of missed.reverse()) {
      if (this.dispatcher.offer(m.id, m.created, 'catchup', async () => this.incoming(m), (msg, text) => this.api.post(msg.roomId, text))) offered++;
    }
    return offered;
  }

  /** Closes the socket (bounded) and stops the loop's timers. */
  stop(): void {
    clearInterval(this.quietTimer);
    clearTimeout(this.ageTimer);
    this.current?.close('shutting down');
  }

  /** The cursor is the dispatcher's state; nothing of the socket survives a restart. */
  save(): void {}

  status(): Record<string, unknown> {
    return {
      connectionAgeMs: this.current?.alive && this.connectedAt ? Date.now() - this.connectedAt : null,
      lastEventAt: this.lastEventAt ? new Date(this.lastEventAt).toISOString() : null,
      reconnects: this.reconnects,
    };
  }
}
