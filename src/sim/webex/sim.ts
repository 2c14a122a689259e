import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { hydraId, newPerson, NO_FAULTS, type Device, type Faults, type Message, type Person, type Room } from './model.js';
import { handleRest } from './rest.js';
import { SocketHub, type SimSocket } from './sockets.js';

export interface SimBot {
  token: string;
  person: Person;
  devices: Device[];
  faults: Faults;
  /** Messages routed to this bot so far (for holdBack.every). */
  routed: number;
  /** Its rooms listings (GET /v1/rooms): one per catch-up or sweep. */
  roomListings: number;
}

/**
 * A local stand-in for the Webex APIs a bot uses (people/me, rooms, messages, WDM devices and the
 * device WebSocket), with switches for the failures of the incident write-ups.
 */
export class WebexSim {
  readonly user = newPerson('Ops User', 'person');
  readonly bots = new Map<string, SimBot>();
  readonly rooms = new Map<string, Room>();
  readonly messages: Message[] = [];
  /** Bot names for the control API (local demo): name -> its token and direct room. */
  readonly names = new Map<string, { token: string; roomId: string }>();
  readonly stats = { restRequests: 0, rateLimited: 0, serverErrors: 0, deviceRegistrations: 0, eventsSent: 0, eventsDropped: 0, eventsHeld: 0, socketsAuthorized: 0 };
  readonly hub: SocketHub;
  private server?: http.Server;
  private seq = 0;
  baseUrl = '';

  constructor() {
    this.hub = new SocketHub(
      (t) => this.bots.has(t),
      (t) => this.bots.get(t)!.faults,
      (_s: SimSocket) => {
        this.stats.socketsAuthorized++;
      },
    );
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = http.createServer((req, res) => this.handleHttp(req, res));
    this.server.on('upgrade', (req, socket, head) => this.hub.upgrade(req, socket, head));
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    this.baseUrl = `http://${host}:${(this.server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  /** Answers one REST or control request (the server may be this sim's own or a shared one). */
  handleHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    handleRest(this, req, res).catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: err.message }));
    });
  }

  /** An outage: connections are refused and every socket is cut, until comeBack(). */
  async goDown(): Promise<void> {
    for (const sock of this.hub.sockets) sock.ws.terminate();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Listens again on the same address after goDown(). */
  async comeBack(): Promise<void> {
    const { hostname, port } = new URL(this.baseUrl);
    await new Promise<void>((resolve) => this.server!.listen(Number(port), hostname, resolve));
  }

  async stop(): Promise<void> {
    this.hub.closeAll();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The URLs a bot's runtime config points at. */
  get urls(): { apiBase: string; wdmBase: string } {
    return { apiBase: `${this.baseUrl}/v1`, wdmBase: `${this.baseUrl}/wdm/api/v1` };
  }

  addBot(token: string, displayName: string): Person {
    const existing = this.bots.get(token);
    if (existing) return existing.person;
    const person = newPerson(displayName, 'bot');
    this.bots.set(token, { token, person, devices: [], faults: NO_FAULTS(), routed: 0, roomListings: 0 });
    return person;
  }

  botByPersonId(personId: string): SimBot | undefined {
    return [...this.bots.values()].find((b) => b.person.id === personId);
  }

  /** A 1:1 room between the ops user and a bot. */
  directRoom(token: string): Room {
    const bot = this.bots.get(token)!;
    return this.room('direct', bot.person.displayName, [this.user.id, bot.person.id]);
  }

  groupRoom(title: string, tokens: string[]): Room {
    return this.room('group', title, [this.user.id, ...tokens.map((t) => this.bots.get(t)!.person.id)]);
  }

  private room(type: Room['type'], title: string, members: string[]): Room {
    const uuid = randomUUID();
    const now = new Date().toISOString();
    const room: Room = { id: hydraId('ROOM', uuid), uuid, title, type, members: new Set(members), created: now, lastActivity: now };
    this.rooms.set(room.id, room);
    return room;
  }

  /**
   * The ops user writes in a room; `mention` lists bot tokens mentioned (needed in group rooms).
   * With `hold`, no socket hears of it: only a REST listing finds it.
   */
  say(roomId: string, text: string, mention: string[] = [], opts: { hold?: boolean } = {}): Message {
    const mentioned = mention.map((t) => this.bots.get(t)!.person);
    const prefix = mentioned.map((p) => p.displayName).join(' ');
    return this.post(this.user, roomId, prefix ? `${prefix} ${text}` : text, { mentionedPeople: mentioned.map((p) => p.id), ...opts });
  }

  post(author: Person, roomId: string, text: string, extra: { parentId?: string; mentionedPeople?: string[]; hold?: boolean } = {}): Message {
    const room = this.rooms.get(roomId);
    if (!room) throw new Error(`no room ${roomId}`);
    const uuid = randomUUID();
    // Strictly increasing creation times, so "newer than the cursor" is never ambiguous.
    const last = this.messages.at(-1)?.created;
    let created = new Date().toISOString();
    if (last && created <= last) created = new Date(Date.parse(last) + 1).toISOString();
    const message: Message = {
      id: hydraId('MESSAGE', uuid), uuid, roomId, roomType: room.type, text, personId: author.id, personEmail: author.emails[0]!, created,
      ...(extra.parentId && { parentId: extra.parentId }),
      ...(extra.mentionedPeople?.length && { mentionedPeople: extra.mentionedPeople }),
    };
    this.messages.push(message);
    room.lastActivity = created;
    this.route(room, message, author, extra.hold ?? false);
    return message;
  }

  /** Webex sends an activity to each member bot: in group rooms only when mentioned (or its own post). */
  private route(room: Room, message: Message, author: Person, hold: boolean): void {
    for (const bot of this.bots.values()) {
      if (!room.members.has(bot.person.id)) continue;
      const own = bot.person.id === author.id;
      if (room.type === 'group' && !own && !message.mentionedPeople?.includes(bot.person.id)) continue;
      if (!own && this.held(bot, hold)) {
        this.stats.eventsHeld++;
        continue;
      }
      const sent = this.hub.send(bot.token, this.activity(room, message, author));
      if (sent) this.stats.eventsSent += sent;
      else this.stats.eventsDropped++;
    }
  }

  /** Whether this message's delivery to the bot is held back (the socket stays healthy). */
  private held(bot: SimBot, hold: boolean): boolean {
    const h = bot.faults.holdBack;
    bot.routed++;
    if (hold) return true;
    if (h.next > 0) {
      h.next--;
      return true;
    }
    return h.every > 0 && bot.routed % h.every === 0;
  }

  private activity(room: Room, message: Message, author: Person): unknown {
    return {
      id: randomUUID(),
      data: {
        eventType: 'conversation.activity',
        activity: {
          id: message.uuid,
          objectType: 'activity',
          verb: 'post',
          published: message.created,
          actor: { id: author.uuid, objectType: 'person', emailAddress: author.emails[0] },
          object: { objectType: 'comment' },
          target: { id: room.uuid, objectType: 'conversation', url: `${this.baseUrl}/conversation/api/v1/conversations/${room.uuid}` },
        },
      },
      timestamp: Date.now(),
      trackingId: `sim_${randomUUID()}`,
      sequenceNumber: ++this.seq,
      filterMessage: false,
    };
  }

  fault(token: string, change: Partial<Faults>): void {
    const bot = this.bots.get(token)!;
    bot.faults = { ...bot.faults, ...change };
  }

  clearFaults(token: string): void {
    this.bots.get(token)!.faults = NO_FAULTS();
  }

  /** Messages the bot with this token wrote in a room, oldest first. */
  repliesBy(token: string, roomId?: string): Message[] {
    const id = this.bots.get(token)!.person.id;
    return this.messages.filter((m) => m.personId === id && (!roomId || m.roomId === roomId));
  }
}
