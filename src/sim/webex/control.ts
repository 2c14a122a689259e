import type http from 'node:http';
import { readJson, send } from './http.js';
import type { WebexSim } from './sim.js';

/**
 * The simulator's own API, for the local demo and for people poking at it with curl:
 * register bots, open rooms, speak as the ops user, read replies, inject faults.
 */
export async function handleControl(sim: WebexSim, req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
  const p = url.pathname.slice('/_sim'.length);
  const body = req.method === 'POST' ? await readJson(req) : {};
  // A bot may be named instead of giving its token (the local demo registers names).
  const named = sim.names.get(String(body.bot ?? url.searchParams.get('bot') ?? ''));
  const token = named?.token ?? String(body.token ?? url.searchParams.get('token') ?? '');
  const needBot = () => {
    if (!sim.bots.has(token)) throw Object.assign(new Error(`no bot with that token`), { status: 404 });
  };
  try {
    if (req.method === 'POST' && p === '/bots') return send(res, 200, sim.addBot(token, String(body.name ?? 'bot')));
    if (req.method === 'POST' && p === '/rooms/direct') {
      needBot();
      return send(res, 200, roomJson(sim.directRoom(token)));
    }
    if (req.method === 'POST' && p === '/say') {
      const m = sim.say(String(body.roomId ?? named?.roomId), String(body.text ?? ''), (body.mention as string[] | undefined) ?? [], { hold: body.hold === true });
      return send(res, 200, m);
    }
    if (req.method === 'GET' && p === '/messages') {
      const roomId = url.searchParams.get('roomId') ?? named?.roomId;
      return send(res, 200, { items: sim.messages.filter((m) => !roomId || m.roomId === roomId) });
    }
    if (req.method === 'POST' && p === '/faults') {
      needBot();
      const { token: _t, bot: _b, kill, stale, freeze, ...change } = body as Record<string, unknown>;
      sim.fault(token, change);
      if (kill) sim.hub.kill(token);
      if (stale) sim.hub.goStale(token);
      if (freeze) sim.hub.freeze(token);
      return send(res, 200, sim.bots.get(token)!.faults);
    }
    if (req.method === 'GET' && p === '/stats') {
      return send(res, 200, { ...sim.stats, sockets: sim.hub.sockets.size, acks: sim.hub.acks });
    }
  } catch (err) {
    return send(res, (err as { status?: number }).status ?? 400, { message: (err as Error).message });
  }
  return send(res, 404, { message: `no control route ${req.method} ${p}` });
}

function roomJson(room: { id: string; title: string; type: string }): unknown {
  return { id: room.id, title: room.title, type: room.type };
}
