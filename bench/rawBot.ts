// The least a Webex bot can be: device socket -> GET message -> POST reply, with ws and undici and
// nothing else (no lock, log, catch-up, retries). The benchmark's baseline for memory and latency.
import { request } from 'undici';
import WebSocket from 'ws';

const [apiBase, wdmBase, token] = process.argv.slice(2) as [string, string, string];
const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const json = async <T>(url: string, init: Parameters<typeof request>[1] = {}) => (await (await request(url, { headers: auth, ...init })).body.json()) as T;

const dev = await json<{ webSocketUrl: string }>(`${wdmBase}/devices`, { method: 'POST', body: JSON.stringify({ name: 'raw' }) });
const me = await json<{ id: string }>(`${apiBase}/people/me`);
const ws = new WebSocket(dev.webSocketUrl);
await new Promise((r) => ws.once('open', r));
ws.send(JSON.stringify({ type: 'authorization', data: { token: `Bearer ${token}` } }));
ws.on('message', (raw) => {
  const a = JSON.parse(raw.toString()).data.activity;
  const id = Buffer.from(`ciscospark://us/MESSAGE/${a.id}`).toString('base64').replace(/=+$/, '');
  void json<{ personId: string; roomId: string; text: string }>(`${apiBase}/messages/${id}`).then(async (m) => {
    if (m.personId === me.id) return;
    await (await request(`${apiBase}/messages`, { method: 'POST', headers: auth, body: JSON.stringify({ roomId: m.roomId, text: `echo: ${m.text}` }) })).body.dump();
  });
});
process.on('SIGTERM', () => process.exit(0));
