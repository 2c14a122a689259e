import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Faults } from './model.js';

export interface SimSocket {
  ws: WebSocket;
  token?: string;
  /** Stale: still answers pings but nothing is routed to it (incident 002). */
  stale: boolean;
  frozen: boolean;
}

/** The device WebSocket: authorization first, then events out and acks in; pings per the faults. */
export class SocketHub {
  readonly sockets = new Set<SimSocket>();
  private readonly wss = new WebSocketServer({ noServer: true, autoPong: false });
  acks = 0;

  constructor(
    private readonly isToken: (token: string) => boolean,
    private readonly faultsOf: (token: string) => Faults,
    private readonly onAuthorized: (s: SimSocket) => void,
  ) {}

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  private accept(ws: WebSocket): void {
    const s: SimSocket = { ws, stale: false, frozen: false };
    this.sockets.add(s);
    ws.on('close', () => this.sockets.delete(s));
    ws.on('error', () => this.sockets.delete(s));
    ws.on('ping', (data) => {
      if (s.frozen || (s.token && this.faultsOf(s.token).dropPongs)) return;
      ws.pong(data);
    });
    ws.on('message', (raw) => {
      if (s.frozen) return;
      let msg: { type?: string; data?: { token?: string } };
      try {
        msg = JSON.parse(raw.toString());
      } catch {
        return;
      }
      if (msg.type === 'authorization') {
        const token = msg.data?.token?.replace(/^Bearer /, '') ?? '';
        if (!this.isToken(token)) {
          ws.close(4401, 'unauthorized');
          return;
        }
        s.token = token;
        this.onAuthorized(s);
      } else if (msg.type === 'ack') {
        this.acks++;
      }
    });
  }

  /** Sends an event to every healthy socket of the bot; returns how many got it. */
  send(token: string, event: unknown): number {
    let sent = 0;
    for (const s of this.sockets) {
      if (s.token !== token || s.stale || s.frozen) continue;
      s.ws.send(JSON.stringify(event));
      sent++;
    }
    return sent;
  }

  of(token: string): SimSocket[] {
    return [...this.sockets].filter((s) => s.token === token);
  }

  kill(token: string): number {
    const mine = this.of(token);
    for (const s of mine) s.ws.terminate();
    return mine.length;
  }

  /** Current sockets go stale; a new connection is healthy again, as a reconnect was in 002. */
  goStale(token: string): void {
    for (const s of this.of(token)) s.stale = true;
  }

  /** Current sockets stop reading and writing, like a peer that vanished mid-close (003). */
  freeze(token: string): void {
    for (const s of this.of(token)) {
      s.frozen = true;
      (s.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    }
  }

  closeAll(): void {
    for (const s of this.sockets) s.ws.terminate();
    this.wss.close();
  }
}
