import type { IncomingMessage } from '../bot.js';
import type { Dispatcher } from '../dispatcher.js';
import type { EventLog } from '../log.js';
import type { MessageState } from '../state.js';
import type { WebexApi, WebexMessage, WebexPerson, WebexRoom } from './api.js';

export interface ReconcileOptions {
  /** Rooms listed per pass (most recently active first). */
  rooms: number;
  pageSize: number;
  /** A message younger than this may still be on its way over the socket. */
  graceMs: number;
}

/** Why a pass runs: a (re)connect, a quiet socket, the periodic sweep, or a repeat. */
export type PassReason = 'start' | 'reconnect' | 'quiet' | 'sweep' | 'retry';

export interface PassResult {
  /** Messages this pass found unhandled, and offered. */
  found: WebexMessage[];
  rooms: number;
  /** Every room with activity since the confirmed position was listed. */
  complete: boolean;
  serverNow: number;
}

/**
 * Lists over REST what changed since the confirmed position and offers what was never handled:
 * one rooms call, then one listing (newest first, paged) per room active since then. A complete
 * pass confirms the position up to the server's clock less the grace period, never past a
 * message in hand. After a (re)connect everything found is offered at once; a sweep or a quiet
 * catch-up leaves messages younger than the grace period to the socket.
 */
export class Reconciler {
  constructor(
    private readonly api: WebexApi,
    private readonly opts: ReconcileOptions,
    private readonly state: MessageState,
    private readonly dispatcher: Dispatcher,
    private readonly log: EventLog,
    private readonly me: () => WebexPerson,
  ) {}

  async pass(reason: PassReason): Promise<PassResult> {
    const since = this.state.since();
    const { rooms: listed, serverNow } = await this.api.rooms(this.opts.rooms);
    const active = listed.filter((r) => r.lastActivity > since);
    // A full page whose oldest room is still active may leave rooms out: confirm nothing then.
    const complete = listed.length < this.opts.rooms || (listed.at(-1)?.lastActivity ?? '') <= since;
    const horizon = new Date(serverNow - this.opts.graceMs).toISOString();
    const waitForSocket = reason === 'sweep' || reason === 'quiet';
    const found: WebexMessage[] = [];
    for (const room of active) {
      for (const m of await this.unhandled(room, since)) {
        if (waitForSocket && m.created > horizon) continue;
        if (this.offer(m)) found.push(m);
      }
    }
    if (complete && this.state.confirm(horizon)) this.confirmed(serverNow);
    return { found, rooms: active.length, complete, serverNow };
  }

  private lastConfirmLog = 0;

  /** Says where the confirmed position stands, at most once a minute (a sweep runs every 15 s). */
  private confirmed(serverNow: number): void {
    if (Date.now() - this.lastConfirmLog < 60_000) return;
    this.lastConfirmLog = Date.now();
    this.log.info('cursor.confirmed', { confirmed: this.state.confirmed, lagMs: serverNow - Date.parse(this.state.confirmed), kept: this.state.kept });
  }

  /** Pages back through a room to the confirmed position; returns what is new, oldest first. */
  private async unhandled(room: WebexRoom, since: string): Promise<WebexMessage[]> {
    const me = this.me().id;
    const out: WebexMessage[] = [];
    let url: string | undefined = this.api.firstPage(room, this.opts.pageSize);
    while (url) {
      const page = await this.api.page(url);
      const fresh = page.items.filter((m) => m.created > since);
      out.push(...fresh.filter((m) => m.personId !== me && !this.state.isKnown(m.id)));
      url = fresh.length === page.items.length ? page.next : undefined;
    }
    return out.reverse();
  }

  private offer(m: WebexMessage): boolean {
    return this.dispatcher.offer(m.id, m.created, 'catchup', async () => incoming(m, this.me()), (msg, text) => this.api.post(msg.roomId, text));
  }
}

/** A listed message as the bot's handlers see it (its own posts are not for it). */
export function incoming(m: WebexMessage, me: WebexPerson): IncomingMessage | null {
  if (m.personId === me.id) return null;
  let text = m.text ?? '';
  // In group rooms the text starts with the bot's name, as the mention reads.
  if (m.roomType === 'group' && text.startsWith(me.displayName)) text = text.slice(me.displayName.length).trimStart();
  return { id: m.id, roomId: m.roomId, personId: m.personId, text, created: new Date(m.created) };
}
