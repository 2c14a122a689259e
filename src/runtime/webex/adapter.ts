import type { Dispatcher } from '../dispatcher.js';
import { HttpError } from '../http.js';
import type { EventLog } from '../log.js';
import { backoff, sleep } from '../retry.js';
import { refusedToken, untilStarted } from '../start.js';
import type { MessageState } from '../state.js';
import { messageId, personUuid, type WebexApi, type WebexDevice, type WebexPerson } from './api.js';
import type { AdapterHooks, PlatformAdapter } from '../platform.js';
import { AuthRefusedError, WebexConnection, type ConnectionOptions, type PostActivity } from './connection.js';
import { incoming, Reconciler, type PassReason } from './reconcile.js';

/** Handled ids held above the confirmed position before a pass is brought forward. */
const PRESSURE = 2_000;

export interface WebexAdapterOptions extends ConnectionOptions {
  maxConnectionAgeMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  quietMs: number;
  /** The periodic reconciliation over REST, whatever the socket does. */
  sweepMs: number;
  graceMs: number;
  catchUpRooms: number;
  pageSize: number;
  deviceName: string;
}

/**
 * Keeps one live device socket (reconnecting with backoff and jitter, replacing it before it
 * gets old) and makes sure no message is lost: every (re)connect, every quiet spell and every
 * sweep interval, a pass over REST offers what the socket did not deliver (Reconciler). A
 * socket that misses messages it was open for is replaced (`ws.stale`, incident 002).
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
  private sweepTimer?: NodeJS.Timeout;
  private ageTimer?: NodeJS.Timeout;
  private readonly reconciler: Reconciler;

  constructor(
    private readonly api: WebexApi,
    private readonly token: string,
    private readonly opts: WebexAdapterOptions,
    private readonly dispatcher: Dispatcher,
    private readonly state: MessageState,
    private readonly log: EventLog,
    private readonly signal: AbortSignal,
    private readonly hooks: AdapterHooks,
  ) {
    this.reconciler = new Reconciler(api, { rooms: opts.catchUpRooms, pageSize: opts.pageSize, graceMs: opts.graceMs }, state, dispatcher, log, () => this.me);
  }

  /**
   * Runs until the signal aborts; throws only what retrying cannot fix (a refused token, 401 or
   * a refused socket authorization). Until it is connected, every other failure is retried.
   */
  async run(): Promise<void> {
    // Shutdown must wake the loop, which otherwise waits on the open socket.
    this.signal.addEventListener('abort', () => this.stop(), { once: true });
    const starting = { log: this.log, hooks: this.hooks, signal: this.signal, baseMs: this.opts.backoffBaseMs };
    this.me = await untilStarted('people/me', () => this.api.me(), starting);
    this.meUuid = personUuid(this.me.id);
    const device = await untilStarted('device', () => this.device(), starting);
    this.wsUrl = device.webSocketUrl;
    let attempt = 0;
    let lostAt: number | undefined;
    let ready = false;
    this.quietTimer = setInterval(() => this.checkQuiet(), Math.max(10, Math.min(this.opts.quietMs / 4, 1_000)));
    this.sweepTimer = setInterval(() => this.catchUp('sweep'), this.opts.sweepMs);
    try {
      while (!this.signal.aborted) {
        const conn = this.connection();
        try {
          await conn.open();
        } catch (err) {
          if (err instanceof AuthRefusedError || this.signal.aborted) throw err;
          const waitMs = backoff(attempt++, this.opts.backoffBaseMs, ready ? this.opts.backoffMaxMs : Math.max(this.opts.backoffMaxMs, 60_000));
          this.log.warn('ws.reconnect_scheduled', { attempt, waitMs, error: (err as Error).message });
          if (!ready) this.hooks.onStartError(`socket: ${(err as Error).message}`);
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
      clearInterval(this.sweepTimer);
      clearTimeout(this.ageTimer);
    }
  }

  /**
   * The bot's device, reused by name. WDM answers 403 to a bot with too many devices: the
   * devices earlier runtimes of this bot left (named botctl-*) are removed, and it tries again.
   */
  private async device(): Promise<WebexDevice> {
    try {
      const { device, registered } = await this.api.device(this.opts.deviceName);
      this.log.info(registered ? 'device.registered' : 'device.found', { name: this.opts.deviceName });
      return device;
    } catch (err) {
      if (!(err instanceof HttpError && err.status === 403)) throw err;
      const stale = (await this.api.devices()).filter((d) => d.name.startsWith('botctl-') && d.name !== this.opts.deviceName);
      if (!stale.length) throw err;
      for (const d of stale) {
        await this.api.removeDevice(d);
        this.log.warn('device.removed', { name: d.name, why: 'the device service refused a new registration (too many devices)' });
      }
      return this.device();
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
    // At or below the confirmed position everything is handled: a late redelivery, not new.
    if (this.state.isConfirmed(a.published) && !this.state.isKnown(id)) {
      this.log.info('message.duplicate', { id, source: 'socket', below: 'confirmed' });
      return;
    }
    this.dispatcher.offer(id, a.published, 'socket', async () => incoming(await this.api.message(id), this.me), (m, text) => this.api.post(m.roomId, text));
    // Handled ids are kept until a pass confirms past them: heavy traffic brings the next pass
    // forward, so memory follows the traffic of seconds, not of a long sweep interval.
    if (this.state.kept > PRESSURE && !this.catchUpRunning) this.catchUp('sweep');
  }

  private lastCatchUpAt = 0;

  private checkQuiet(): void {
    const conn = this.current;
    if (!conn?.alive || this.catchUpRunning) return;
    if (Date.now() - Math.max(conn.lastMessageAt, this.lastCatchUpAt) >= this.opts.quietMs) this.catchUp('quiet');
  }

  /** Runs one pass at a time; a request during a run schedules exactly one more. */
  catchUp(reason: PassReason): void {
    if (this.catchUpRunning) {
      // A sweep that finds a pass running has nothing to add.
      if (reason !== 'sweep') this.catchUpAgain = true;
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

  private async runCatchUp(reason: PassReason): Promise<void> {
    const started = Date.now();
    // Sweeps run every few seconds: they speak only when they find something.
    const quiet = reason === 'sweep';
    if (!quiet) this.log.info('catchup.start', { reason, since: this.state.since() });
    try {
      const conn = this.current;
      const r = await this.reconciler.pass(reason);
      if (!quiet || r.found.length) this.log.info('catchup.done', { reason, rooms: r.rooms, found: r.found.length, complete: r.complete, durationMs: Date.now() - started });
      // Messages created while this socket was open, older than the grace period, that it never
      // delivered: it is stale (incident 002). Messages from before it opened are not its fault.
      const missed = conn?.alive ? r.found.filter((m) => Date.parse(m.created) >= conn.openedAt) : [];
      if ((reason === 'sweep' || reason === 'quiet') && missed.length && this.current === conn) {
        const oldest = Math.min(...missed.map((m) => Date.parse(m.created)));
        this.log.warn('ws.stale', { conn: conn!.id, missed: missed.length, oldestMissedAgeMs: r.serverNow - oldest, lastSocketEventAgeMs: Date.now() - conn!.lastMessageAt, socketAgeMs: Date.now() - conn!.openedAt });
        conn!.terminate('stale: messages it was open for were never delivered');
      }
    } catch (err) {
      if (!this.signal.aborted) this.log.warn('catchup.failed', { reason, error: err });
    }
  }

  /** Closes the socket (bounded) and stops the loop's timers. */
  stop(): void {
    clearInterval(this.quietTimer);
    clearInterval(this.sweepTimer);
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
