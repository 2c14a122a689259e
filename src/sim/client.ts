import { BotctlError } from '../errors.js';
import type { Fleet } from '../fleet/types.js';

/** Speaks to a bot through a running simulator's control API and waits for its next message. */
export async function say(url: string, fleet: Fleet, bot: string, text: string, timeoutMs: number): Promise<string> {
  const b = fleet.bots[bot];
  if (!b) throw new BotctlError('E_USAGE', `no bot named ${JSON.stringify(bot)} in fleet.yaml`);
  const base = b.platform === 'telegram' ? `${url}/_sim/telegram` : `${url}/_sim`;
  const messages = async () => ((await (await fetch(`${base}/messages?bot=${encodeURIComponent(bot)}`)).json()) as { items: { text: string; personId?: string; from?: { is_bot: boolean } }[] }).items;
  const fromBot = (m: { personId?: string; from?: { is_bot: boolean } }, userId: string | undefined) => (m.from ? m.from.is_bot : m.personId !== userId);
  const before = (await messages()).length;
  const sent = (await (await fetch(`${base}/say`, { method: 'POST', body: JSON.stringify({ bot, text }) })).json()) as { personId?: string };
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const reply = (await messages()).slice(before).find((m) => fromBot(m, sent.personId));
    if (reply) return reply.text;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new BotctlError('E_HEALTH', `${bot} did not answer within ${timeoutMs / 1000}s`, { hint: `botctl status; botctl logs ${bot}` });
}
