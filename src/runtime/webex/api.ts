import type { HttpClient } from '../http.js';

export interface WebexPerson { id: string; displayName: string; emails: string[] }
export interface WebexRoom { id: string; type: 'direct' | 'group'; lastActivity: string }
export interface WebexMessage {
  id: string;
  roomId: string;
  roomType: 'direct' | 'group';
  text?: string;
  personId: string;
  created: string;
}
export interface WebexDevice { url: string; name: string; webSocketUrl: string }

/** Webex ids are base64 of `ciscospark://us/<TYPE>/<uuid>`; the WebSocket names messages by uuid. */
export function messageId(uuid: string): string {
  return Buffer.from(`ciscospark://us/MESSAGE/${uuid}`).toString('base64').replace(/=+$/, '');
}

/** The uuid inside a person's id, as activities name their actor. */
export function personUuid(id: string): string {
  return Buffer.from(id, 'base64').toString('utf8').split('/').pop() ?? '';
}

/** The REST calls the runtime makes, over the process's shared pool. */
export class WebexApi {
  constructor(private readonly http: HttpClient, private readonly apiBase: string, private readonly wdmBase: string) {}

  async me(): Promise<WebexPerson> {
    return (await this.http.json<WebexPerson>('GET', `${this.apiBase}/people/me`)).body;
  }

  async message(id: string): Promise<WebexMessage> {
    return (await this.http.json<WebexMessage>('GET', `${this.apiBase}/messages/${encodeURIComponent(id)}`)).body;
  }

  /** Rooms the bot is in, most recently active first. */
  async rooms(max: number): Promise<WebexRoom[]> {
    return (await this.http.json<{ items: WebexRoom[] }>('GET', `${this.apiBase}/rooms?sortBy=lastactivity&max=${max}`)).body.items;
  }

  /** First page of a room's messages, newest first; bots must ask for mentions in group rooms. */
  firstPage(room: WebexRoom, max: number): string {
    const q = new URLSearchParams({ roomId: room.id, max: String(max) });
    if (room.type === 'group') q.set('mentionedPeople', 'me');
    return `${this.apiBase}/messages?${q}`;
  }

  async page(url: string): Promise<{ items: WebexMessage[]; next?: string }> {
    const r = await this.http.json<{ items: WebexMessage[] }>('GET', url);
    const next = r.link && /<([^>]+)>\s*;\s*rel="next"/.exec(r.link)?.[1];
    return { items: r.body.items, ...(next && { next }) };
  }

  async post(roomId: string, text: string): Promise<void> {
    await this.http.json('POST', `${this.apiBase}/messages`, { body: { roomId, text } });
  }

  /** The bot's device by name, registering one only when none exists (WDM limits registrations). */
  async device(name: string): Promise<{ device: WebexDevice; registered: boolean }> {
    const { devices } = (await this.http.json<{ devices: WebexDevice[] }>('GET', `${this.wdmBase}/devices`)).body;
    const found = devices.find((d) => d.name === name);
    if (found) return { device: found, registered: false };
    const body = { deviceName: name, name, deviceType: 'DESKTOP', localizedModel: 'nodejs', model: 'nodejs', systemName: 'botctl', systemVersion: '1' };
    // Registering is not idempotent, but 429/503 mean the server did nothing: HttpClient retries only those.
    const device = (await this.http.json<WebexDevice>('POST', `${this.wdmBase}/devices`, { body })).body;
    return { device, registered: true };
  }
}
