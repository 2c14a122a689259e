import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TgUser { id: number; is_bot: boolean; first_name: string; username?: string }
export interface TgMessage { message_id: number; from: TgUser; chat: { id: number; type: 'private' }; date: number; text: string }
export interface TgUpdate { update_id: number; message: TgMessage }

interface Poll { res: http.ServerResponse; timer: NodeJS.Timeout }

interface TgBot {
  token: string;
  me: TgUser;
  user: TgUser;
  /** Updates not yet confirmed by an offset past them. */
  updates: TgUpdate[];
  nextUpdateId: number;
  nextMessageId: number;
  poll?: Poll;
  webhook?: string;
  sent: TgMessage[];
  conflicts: number;
  faults: { rateLimit: { remaining: number; retryAfterS: number }; unauthorized: boolean };
}

const CONFLICT = 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';

/**
 * The Telegram Bot API subset a bot uses (getMe, deleteWebhook, getUpdates long polling,
 * sendMessage), with Telegram's rule that a second getUpdates terminates the first with 409.
 */
export class TelegramSim {
  readonly bots = new Map<string, TgBot>();
  readonly stats = { getUpdates: 0, conflicts: 0, rateLimited: 0, unauthorized: 0 };
  private server?: http.Server;
  private nextId = 7_000_000;
  baseUrl = '';

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = http.createServer((req, res) => void this.handleHttp(req, res));
    await new Promise<void>((r) => this.server!.listen(port, host, r));
    this.baseUrl = `http://${host}:${(this.server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    for (const b of this.bots.values()) this.endPoll(b, { ok: true, result: [] });
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** The base a bot's runtime config points at (it appends /bot<token>/<method>). */
  get apiBase(): string {
    return this.baseUrl;
  }

  addBot(token: string, name: string): TgUser {
    const existing = this.bots.get(token);
    if (existing) return existing.me;
    const me = { id: this.nextId++, is_bot: true, first_name: name, username: `${name.replace(/[^A-Za-z0-9_]/g, '_')}_bot` };
    const user = { id: this.nextId++, is_bot: false, first_name: 'Ops' };
    this.bots.set(token, {
      token, me, user, updates: [], nextUpdateId: 100_000, nextMessageId: 1, sent: [], conflicts: 0,
      faults: { rateLimit: { remaining: 0, retryAfterS: 1 }, unauthorized: false },
    });
    return me;
  }

  /** The ops user writes to the bot in their private chat. */
  say(token: string, text: string): TgUpdate {
    const bot = this.bots.get(token)!;
    const update: TgUpdate = {
      update_id: bot.nextUpdateId++,
      message: { message_id: bot.nextMessageId++, from: bot.user, chat: { id: bot.user.id, type: 'private' }, date: Math.floor(Date.now() / 1000), text },
    };
    bot.updates.push(update);
    if (bot.poll) this.endPoll(bot, { ok: true, result: bot.updates.slice(0, 100) });
    return update;
  }

  sentBy(token: string): TgMessage[] {
    return this.bots.get(token)!.sent;
  }

  fault(token: string, change: Partial<TgBot['faults']>): void {
    const bot = this.bots.get(token)!;
    bot.faults = { ...bot.faults, ...change };
  }

  conflictsOf(token: string): number {
    return this.bots.get(token)!.conflicts;
  }

  /** Routes `/bot<token>/<method>`; false when the path is not the Bot API's. */
  async handleHttp(req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> {
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (!m) return false;
    const params = await readParams(req);
    const bot = this.bots.get(decodeURIComponent(m[1]!));
    if (!bot || bot.faults.unauthorized) {
      this.stats.unauthorized++;
      reply(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
      return true;
    }
    if (bot.faults.rateLimit.remaining > 0) {
      bot.faults.rateLimit.remaining--;
      this.stats.rateLimited++;
      const after = bot.faults.rateLimit.retryAfterS;
      reply(res, 429, { ok: false, error_code: 429, description: `Too Many Requests: retry after ${after}`, parameters: { retry_after: after } });
      return true;
    }
    switch (m[2]) {
      case 'getMe':
        reply(res, 200, { ok: true, result: bot.me });
        break;
      case 'deleteWebhook':
        bot.webhook = undefined;
        reply(res, 200, { ok: true, result: true, description: 'Webhook was deleted' });
        break;
      case 'setWebhook':
        bot.webhook = String(params.url ?? '');
        reply(res, 200, { ok: true, result: true });
        break;
      case 'getUpdates':
        this.getUpdates(bot, params, req, res);
        break;
      case 'sendMessage':
        this.sendMessage(bot, params, res);
        break;
      default:
        reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    }
    return true;
  }

  private getUpdates(bot: TgBot, params: Record<string, unknown>, req: http.IncomingMessage, res: http.ServerResponse): void {
    this.stats.getUpdates++;
    if (bot.webhook) {
      reply(res, 409, { ok: false, error_code: 409, description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first" });
      return;
    }
    if (bot.poll) {
      // As Telegram does: the newer request wins, the one already waiting is terminated.
      bot.conflicts++;
      this.stats.conflicts++;
      this.endPoll(bot, { ok: false, error_code: 409, description: CONFLICT }, 409);
    }
    const offset = Number(params.offset ?? 0);
    if (offset) bot.updates = bot.updates.filter((u) => u.update_id >= offset);
    const limit = Math.min(Number(params.limit ?? 100), 100);
    const timeoutS = Number(params.timeout ?? 0);
    if (bot.updates.length || timeoutS <= 0) {
      reply(res, 200, { ok: true, result: bot.updates.slice(0, limit) });
      return;
    }
    const timer = setTimeout(() => this.endPoll(bot, { ok: true, result: [] }), timeoutS * 1000);
    bot.poll = { res, timer };
    req.once('close', () => {
      if (bot.poll?.res === res && !res.writableEnded) {
        clearTimeout(timer);
        bot.poll = undefined;
      }
    });
  }

  private endPoll(bot: TgBot, body: unknown, status = 200): void {
    const poll = bot.poll;
    if (!poll) return;
    bot.poll = undefined;
    clearTimeout(poll.timer);
    if (!poll.res.writableEnded) reply(poll.res, status, body);
  }

  private sendMessage(bot: TgBot, params: Record<string, unknown>, res: http.ServerResponse): void {
    if (Number(params.chat_id) !== bot.user.id) {
      reply(res, 400, { ok: false, error_code: 400, description: 'Bad Request: chat not found' });
      return;
    }
    const msg: TgMessage = { message_id: bot.nextMessageId++, from: bot.me, chat: { id: bot.user.id, type: 'private' }, date: Math.floor(Date.now() / 1000), text: String(params.text ?? '') };
    bot.sent.push(msg);
    reply(res, 200, { ok: true, result: msg });
  }
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Bot API parameters arrive as JSON, a form, or the query string. */
async function readParams(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const url = new URL(req.url ?? '/', 'http://x');
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const fromBody = !text ? {} : (req.headers['content-type'] ?? '').includes('json') ? JSON.parse(text) : Object.fromEntries(new URLSearchParams(text));
  return { ...Object.fromEntries(url.searchParams), ...fromBody };
}
