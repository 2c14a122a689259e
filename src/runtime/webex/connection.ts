import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import type { EventLog } from '../log.js';
import { DeadlineError, withDeadline } from '../retry.js';

export interface ConnectionOptions {
  pingIntervalMs: number;
  pingTimeoutMs: number;
  connectTimeoutMs: number;
  closeTimeoutMs: number;
}

/** A `post` activity from the device socket: the message's uuid and when it was published. */
export interface PostActivity { uuid: string; published: string; actorUuid?: string }

/** Thrown when the platform refuses the token: retrying cannot help. */
export class AuthRefusedError extends Error {
  override name = 'AuthRefusedError';
}

/**
 * One device WebSocket: authorization, acks, and a heartbeat that terminates the socket when a
 * pong is late (never an unbounded close()).
 */
export class WebexConnection {
  readonly id = randomUUID().slice(0, 8);
  openedAt = 0;
  lastMessageAt = 0;
  /** Resolves with the reason once the connection has ended, however it ended. */
  readonly closed: Promise<string>;
  private resolveClosed!: (reason: string) => void;
  private pingTimer?: NodeJS.Timeout;
  private pongTimer?: NodeJS.Timeout;
  private ended = false;
  private ws?: WebSocket;

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly opts: ConnectionOptions,
    private readonly log: EventLog,
    private readonly onPost: (a: PostActivity, conn: WebexConnection) => void,
  ) {
    this.closed = new Promise((r) => (this.resolveClosed = r));
  }

  /** Opens and authorizes within connectTimeoutMs; a socket that cannot is terminated. */
  async open(): Promise<void> {
    this.log.info('ws.connecting', { conn: this.id });
    const ws = new WebSocket(this.url, { handshakeTimeout: this.opts.connectTimeoutMs });
    this.ws = ws;
    ws.on('message', (raw) => this.receive(raw.toString()));
    ws.on('pong', () => clearTimeout(this.pongTimer));
    ws.on('close', (code, reason) => this.end(code === 4401 ? 'unauthorized' : `closed ${code}${reason.length ? ` ${reason}` : ''}`));
    ws.on('error', (err) => this.end(`error: ${err.message}`));
    try {
      await withDeadline(
        new Promise<void>((resolve, reject) => {
          ws.once('open', resolve);
          this.closed.then((why) => reject(why === 'unauthorized' ? new AuthRefusedError('the platform refused the token') : new Error(why)));
        }),
        this.opts.connectTimeoutMs,
        `no WebSocket within ${this.opts.connectTimeoutMs} ms`,
      );
    } catch (err) {
      this.terminate(err instanceof DeadlineError ? 'connect timeout' : (err as Error).message);
      throw err;
    }
    ws.send(JSON.stringify({ id: randomUUID(), type: 'authorization', data: { token: `Bearer ${this.token}` } }));
    this.openedAt = Date.now();
    this.lastMessageAt = this.openedAt;
    this.pingTimer = setInterval(() => this.ping(), this.opts.pingIntervalMs);
  }

  private ping(): void {
    if (this.ended || !this.ws) return;
    clearTimeout(this.pongTimer);
    this.pongTimer = setTimeout(() => {
      this.log.warn('ws.pong_timeout', { conn: this.id, pingTimeoutMs: this.opts.pingTimeoutMs });
      this.terminate('pong timeout');
    }, this.opts.pingTimeoutMs);
    this.ws.ping();
  }

  private receive(text: string): void {
    this.lastMessageAt = Date.now();
    let env: { id?: string; data?: { eventType?: string; activity?: { id?: string; verb?: string; published?: string; actor?: { id?: string } } } };
    try {
      env = JSON.parse(text);
    } catch {
      return;
    }
    if (env.id) this.ws?.send(JSON.stringify({ type: 'ack', messageId: env.id }));
    const a = env.data?.activity;
    if (env.data?.eventType === 'conversation.activity' && a?.verb === 'post' && a.id) {
      this.onPost({ uuid: a.id, published: a.published ?? new Date().toISOString(), ...(a.actor?.id && { actorUuid: a.actor.id }) }, this);
    }
  }

  /** Asks the peer to close, and terminates if it has not within closeTimeoutMs (incident 003). */
  close(reason: string): void {
    if (this.ended || !this.ws) return this.end(reason);
    const ws = this.ws;
    setTimeout(() => this.terminate(`${reason} (close not answered)`), this.opts.closeTimeoutMs).unref();
    try {
      ws.close(1000, reason.slice(0, 100));
    } catch {
      this.terminate(reason);
    }
  }

  terminate(reason: string): void {
    this.ws?.terminate();
    this.end(reason);
  }

  get alive(): boolean {
    return !this.ended;
  }

  private end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    this.log.info('ws.closed', { conn: this.id, reason, ageMs: this.openedAt ? Date.now() - this.openedAt : 0 });
    this.resolveClosed(reason);
  }
}
