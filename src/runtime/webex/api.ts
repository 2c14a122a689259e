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

/**
 * The server's clock, from its Date headers. A header is to the second, sent before it arrives:
 * header - arrival is never above the true offset, so the highest of the recent samples is a
 * safe estimate that sharpens with traffic (never ahead of the server, which matters: a pass
 * confirms up to this clock less the grace period).
 */
class ServerClock {
  private samples: number[] = [];

  sample(date: number | undefined): void {
    if (date === undefined) return;
    this.samples.push(date - Date.now());
    if (this.samples.length > 32) this.samples.shift();
  }

  now(): number {
    return Date.now() + (this.samples.length ? Math.max(...this.samples) : 0);
  }
}

/** The REST calls the runtime makes, over the process's shared pool. */
export class WebexApi {
  private readonly clock = new ServerClock();

  constructor(private readonly http: HttpClient, private readonly apiBase: string, private readonly wdmBase: string) {}

  private async get<T>(url: string): Promise<{ body: T; link?: string }> {
    const r = await this.http.json<T>('GET', url);
    this.clock.sample(r.date);
    return r;
  }

  async me(): Promise<WebexPerson> {
    return (await this.get<WebexPerson>(`${this.apiBase}/people/me`)).body;
  }

  async message(id: string): Promise<WebexMessage> {
    return (await this.get<WebexMessage>(`${this.apiBase}/messages/${encodeURIComponent(id)}`)).body;
  }

  /**
   * Rooms the bot is in, most recently active first, and the server's clock when it answered
   * (estimated from its Date headers; this machine's clock when it sends none).
   */
  async rooms(max: number): Promise<{ rooms: WebexRoom[]; serverNow: number }> {
    const r = await this.get<{ items: WebexRoom[] }>(`${this.apiBase}/rooms?sortBy=lastactivity&max=${max}`);
    return { rooms: r.body.items, serverNow: this.clock.now() };
  }

  /** First page of a room's messages, newest first; bots must ask for mentions in group rooms. */
  firstPage(room: WebexRoom, max: number): string {
    const q = new URLSearchParams({ roomId: room.id, max: String(max) });
    if (room.type === 'group') q.set('mentionedPeople', 'me');
    return `${this.apiBase}/messages?${q}`;
  }

  async page(url: string): Promise<{ items: WebexMessage[]; next?: string }> {
    const r = await this.get<{ items: WebexMessage[] }>(url);
    const next = r.link && /<([^>]+)>\s*;\s*rel="next"/.exec(r.link)?.[1];
    return { items: r.body.items, ...(next && { next }) };
  }

  async post(roomId: string, text: string): Promise<void> {
    await this.http.json('POST', `${this.apiBase}/messages`, { body: { roomId, text } });
  }

  /** Removes one of the bot's devices. */
  async removeDevice(device: WebexDevice): Promise<void> {
    await this.http.json('DELETE', device.url, { idempotent: true });
  }

  async devices(): Promise<WebexDevice[]> {
    return (await this.http.json<{ devices: WebexDevice[] }>('GET', `${this.wdmBase}/devices`)).body.devices;
  }

  /** The bot's device by name, registering one only when none exists (WDM limits registrations). */
  async device(name: string): Promise<{ device: WebexDevice; registered: boolean }> {
    const found = (await this.devices()).find((d) => d.name === name);
    if (found) return { device: found, registered: false };
    const body = { deviceName: name, name, deviceType: 'DESKTOP', localizedModel: 'nodejs', model: 'nodejs', systemName: 'botctl', systemVersion: '1' };
    // Registering is not idempotent, but 429/503 mean the server did nothing: HttpClient retries only those.
    const device = (await this.http.json<WebexDevice>('POST', `${this.wdmBase}/devices`, { body })).body;
    return { device, registered: true };
  }
}
