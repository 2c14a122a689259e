import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readJson, send } from './webex/http.js';
import { WebexSim } from './webex/sim.js';
import { TelegramSim } from './telegram/sim.js';

/** Both platforms on one port, as the local demo needs: /bot<token>/... is Telegram, the rest Webex. */
export class PlatformSim {
  readonly webex = new WebexSim();
  readonly telegram = new TelegramSim();
  /** Telegram bot names for the control API: name -> token. */
  readonly telegramNames = new Map<string, string>();
  private server?: http.Server;
  baseUrl = '';

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = http.createServer((req, res) => void this.route(req, res));
    this.server.on('upgrade', (req, socket, head) => this.webex.hub.upgrade(req, socket, head));
    await new Promise<void>((r) => this.server!.listen(port, host, r));
    this.baseUrl = `http://${host}:${(this.server.address() as AddressInfo).port}`;
    this.webex.baseUrl = this.telegram.baseUrl = this.baseUrl;
    return this.baseUrl;
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.url?.startsWith('/_sim/telegram/')) return this.control(req, res);
    if (await this.telegram.handleHttp(req, res)) return;
    this.webex.handleHttp(req, res);
  }

  /** say {bot,text}, messages?bot=, faults {bot,...}, stats: the Telegram side of the control API. */
  private async control(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url!, this.baseUrl);
    const body = req.method === 'POST' ? await readJson(req) : {};
    const token = this.telegramNames.get(String(body.bot ?? url.searchParams.get('bot') ?? ''));
    const what = url.pathname.slice('/_sim/telegram/'.length);
    if (what === 'stats') return send(res, 200, this.telegram.stats);
    if (!token) return send(res, 404, { message: `no Telegram bot by that name (known: ${[...this.telegramNames.keys()].join(', ')})` });
    if (what === 'say') return send(res, 200, this.telegram.say(token, String(body.text ?? '')));
    if (what === 'messages') return send(res, 200, { items: this.telegram.sentBy(token) });
    if (what === 'faults') {
      const { bot: _b, ...change } = body;
      this.telegram.fault(token, change);
      return send(res, 200, { ok: true, conflicts: this.telegram.conflictsOf(token) });
    }
    return send(res, 404, { message: `no control route ${what}` });
  }

  async stop(): Promise<void> {
    await Promise.all([this.webex.stop(), this.telegram.stop()]);
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
