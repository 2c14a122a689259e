import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { handleControl } from './control.js';
import { readJson, send } from './http.js';
import type { Message } from './model.js';
import type { SimBot, WebexSim } from './sim.js';

/** WDM refuses a bot that registers device after device instead of reusing one. */
export const MAX_DEVICES = 5;

export { readJson, send };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Routes one REST request the way the real APIs answer it, after applying the bot's faults. */
export async function handleRest(sim: WebexSim, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', sim.baseUrl);
  if (url.pathname.startsWith('/_sim/')) return handleControl(sim, req, res, url);
  const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
  const bot = sim.bots.get(token);
  if (!bot) return send(res, 401, { message: 'The request requires a valid access token set in the Authorization request header.', trackingId: randomUUID() });
  sim.stats.restRequests++;
  const f = bot.faults;
  if (f.serverErrors.remaining > 0) {
    f.serverErrors.remaining--;
    sim.stats.serverErrors++;
    return send(res, f.serverErrors.status, { message: 'Service Unavailable' });
  }
  if (f.rateLimit.remaining > 0) {
    f.rateLimit.remaining--;
    sim.stats.rateLimited++;
    return send(res, 429, { message: 'Too Many Requests' }, { 'retry-after': String(f.rateLimit.retryAfterS) });
  }
  // The body is read first: a slow server still acts on a request its client gave up on.
  const body = req.method === 'POST' ? await readJson(req) : {};
  if (f.restDelayMs > 0) await sleep(f.restDelayMs);
  return route(sim, bot, req, res, url, body);
}

async function route(sim: WebexSim, bot: SimBot, req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: Record<string, unknown>): Promise<void> {
  const p = url.pathname;
  const q = url.searchParams;
  if (req.method === 'GET' && p === '/v1/people/me') return send(res, 200, bot.person);
  if (req.method === 'GET' && p === '/v1/rooms') {
    bot.roomListings++;
    const max = Number(q.get('max') ?? 100);
    const rooms = [...sim.rooms.values()]
      .filter((r) => r.members.has(bot.person.id))
      .sort((a, b) => (q.get('sortBy') === 'lastactivity' ? b.lastActivity.localeCompare(a.lastActivity) : a.created.localeCompare(b.created)))
      .slice(0, max)
      .map(({ members: _m, uuid: _u, ...room }) => ({ ...room, isLocked: false }));
    return send(res, 200, { items: rooms });
  }
  if (req.method === 'GET' && p === '/v1/messages') return listMessages(sim, bot, res, url);
  if (req.method === 'GET' && p.startsWith('/v1/messages/')) {
    const m = sim.messages.find((x) => x.id === decodeURIComponent(p.slice('/v1/messages/'.length)));
    if (!m || !sim.rooms.get(m.roomId)?.members.has(bot.person.id)) return send(res, 404, { message: 'Message not found' });
    return send(res, 200, publicMessage(m));
  }
  if (req.method === 'POST' && p === '/v1/messages') {
    const room = sim.rooms.get(String(body.roomId));
    if (!room?.members.has(bot.person.id)) return send(res, 404, { message: 'Room not found' });
    const text = String(body.text ?? body.markdown ?? '');
    const m = sim.post(bot.person, room.id, text, { ...(typeof body.parentId === 'string' && { parentId: body.parentId }) });
    return send(res, 200, publicMessage(m));
  }
  if (req.method === 'GET' && p === '/wdm/api/v1/devices') return send(res, 200, { devices: bot.devices });
  if (req.method === 'DELETE' && p.startsWith('/wdm/api/v1/devices/')) {
    const id = p.slice('/wdm/api/v1/devices/'.length);
    const at = bot.devices.findIndex((d) => d.id === id);
    if (at < 0) return send(res, 404, { message: 'Device not found' });
    bot.devices.splice(at, 1);
    res.writeHead(204).end();
    return;
  }
  if (req.method === 'POST' && p === '/wdm/api/v1/devices') {
    if (bot.devices.length >= MAX_DEVICES) return send(res, 403, { message: 'Excessive device registrations' });
    const id = randomUUID();
    const device = {
      url: `${sim.baseUrl}/wdm/api/v1/devices/${id}`, id,
      name: String(body.name ?? ''), deviceName: String(body.deviceName ?? ''), deviceType: String(body.deviceType ?? 'DESKTOP'),
      webSocketUrl: `${sim.baseUrl.replace(/^http/, 'ws')}/mercury/ws/${id}`,
    };
    bot.devices.push(device);
    sim.stats.deviceRegistrations++;
    return send(res, 200, device);
  }
  return send(res, 404, { message: `no route ${req.method} ${p}` });
}

/** List Messages: needs roomId, newest first, pages backwards; bots in group rooms see only mentions. */
function listMessages(sim: WebexSim, bot: SimBot, res: http.ServerResponse, url: URL): void {
  const q = url.searchParams;
  const room = sim.rooms.get(q.get('roomId') ?? '');
  if (!room) return send(res, 400, { message: 'roomId is required' });
  if (!room.members.has(bot.person.id)) return send(res, 404, { message: 'Room not found' });
  const mentionsOnly = q.get('mentionedPeople') === 'me';
  if (room.type === 'group' && !mentionsOnly) {
    return send(res, 403, { message: 'Bots may only list messages in group rooms that mention them: add mentionedPeople=me' });
  }
  const max = Math.min(Number(q.get('max') ?? 50), 1000);
  let items = sim.messages.filter((m) => m.roomId === room.id && (!mentionsOnly || m.mentionedPeople?.includes(bot.person.id)));
  const before = q.get('beforeMessage');
  if (before) {
    const at = sim.messages.find((m) => m.id === before);
    if (at) items = items.filter((m) => m.created < at.created);
  }
  items = items.reverse();
  const page = items.slice(0, max);
  const headers: Record<string, string> = {};
  if (items.length > max) {
    const next = new URL(url.toString());
    next.searchParams.set('beforeMessage', page.at(-1)!.id);
    headers.link = `<${next.toString()}>; rel="next"`;
  }
  send(res, 200, { items: page.map(publicMessage) }, headers);
}

function publicMessage(m: Message): Omit<Message, 'uuid'> {
  const { uuid: _uuid, ...rest } = m;
  return rest;
}
