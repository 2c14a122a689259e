import type { WebexSim } from '../../src/sim/webex/sim.js';
import type { BotProcess } from '../support/bots.js';
import { waitFor } from '../support/bots.js';

export interface StreamResult { sent: number; lost: number; duplicates: number }

/**
 * Sends `count` messages into a direct room, calling `at[i]` just before message i, then waits
 * until every one has an echo and one more catch-up has passed (so late duplicates would show).
 */
export async function stream(sim: WebexSim, bot: BotProcess, roomId: string, count: number, at: Record<number, () => Promise<void> | void> = {}, gapMs = 40): Promise<StreamResult> {
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    await at[i]?.();
    const text = `m${i}-${Math.random().toString(36).slice(2, 8)}`;
    texts.push(text);
    sim.say(roomId, text);
    await new Promise((r) => setTimeout(r, gapMs));
  }
  const replies = () => sim.repliesBy(bot.token, roomId).map((m) => m.text);
  await waitFor(`echoes of all ${count} messages`, () => texts.every((t) => replies().includes(`echo: ${t}`)), 20_000).catch(() => undefined);
  const settledAfter = new Date().toISOString();
  await waitFor('one more catch-up after the last reply', () => bot.events('catchup.done').some((e) => e.time > settledAfter), 10_000).catch(() => undefined);
  const seen = replies();
  const lost = texts.filter((t) => !seen.includes(`echo: ${t}`)).length;
  const duplicates = seen.length - new Set(seen).size;
  return { sent: count, lost, duplicates };
}
