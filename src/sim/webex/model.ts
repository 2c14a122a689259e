import { randomUUID } from 'node:crypto';

/** Webex ids are base64 of `ciscospark://us/<TYPE>/<uuid>`; the WebSocket speaks in bare uuids. */
export function hydraId(type: 'MESSAGE' | 'ROOM' | 'PEOPLE', uuid: string): string {
  return Buffer.from(`ciscospark://us/${type}/${uuid}`).toString('base64').replace(/=+$/, '');
}

export interface Person {
  id: string;
  uuid: string;
  emails: string[];
  displayName: string;
  type: 'person' | 'bot';
}

export interface Room {
  id: string;
  uuid: string;
  title: string;
  type: 'direct' | 'group';
  members: Set<string>;
  created: string;
  lastActivity: string;
}

export interface Message {
  id: string;
  uuid: string;
  roomId: string;
  roomType: 'direct' | 'group';
  text: string;
  personId: string;
  personEmail: string;
  created: string;
  parentId?: string;
  mentionedPeople?: string[];
}

export interface Device {
  url: string;
  id: string;
  name: string;
  deviceName: string;
  deviceType: string;
  webSocketUrl: string;
}

/**
 * Per-bot fault switches; each models one failure from the incident write-ups. Stale and frozen
 * sockets are not switches but acts on the sockets open now (SocketHub.goStale / freeze).
 */
export interface Faults {
  /** The server stops answering pings. */
  dropPongs: boolean;
  /** Every REST response waits this long (past the bot's timeout: 000/001). */
  restDelayMs: number;
  /** The next N REST requests get 429 with Retry-After. */
  rateLimit: { remaining: number; retryAfterS: number };
  /** The next N REST requests get this 5xx. */
  serverErrors: { remaining: number; status: number };
  /**
   * Socket delivery held back while the socket stays healthy (pings answered): the next `next`
   * messages to this bot, and every `every`-th one, are posted (REST lists them) but never
   * routed to its sockets. Incident 002's lost message, one message at a time.
   */
  holdBack: { next: number; every: number };
}

export const NO_FAULTS = (): Faults => ({
  dropPongs: false,
  restDelayMs: 0,
  rateLimit: { remaining: 0, retryAfterS: 1 },
  serverErrors: { remaining: 0, status: 503 },
  holdBack: { next: 0, every: 0 },
});

export function newPerson(displayName: string, type: Person['type']): Person {
  const uuid = randomUUID();
  const slug = displayName.toLowerCase().replace(/[^a-z0-9]+/g, '.');
  return { id: hydraId('PEOPLE', uuid), uuid, emails: [`${slug}@${type === 'bot' ? 'webex.bot' : 'example.com'}`], displayName, type };
}
