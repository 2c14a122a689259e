import path from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RUNTIME_EXIT } from '../../src/runtime/events.js';
import { telegramBot, waitFor, type BotProcess } from '../support/bots.js';
import { useTelegramSim } from '../support/simFixture.js';

const fx = useTelegramSim('tg');
const bot = (overrides: Record<string, unknown> = {}) => fx.bot(overrides).b;

const replies = (b: BotProcess) => fx.sim.sentBy(b.token).map((m) => m.text);

/** Sends texts with `at[i]` run before text i, then waits for every echo and one more poll. */
async function stream(b: BotProcess, count: number, at: Record<number, () => Promise<void> | void> = {}): Promise<{ lost: number; duplicates: number }> {
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    await at[i]?.();
    texts.push(`t${i}-${Math.random().toString(36).slice(2, 7)}`);
    fx.sim.say(b.token, texts[i]!);
    await new Promise((r) => setTimeout(r, 30));
  }
  await waitFor('every update answered', () => texts.every((t) => replies(b).includes(`echo: ${t}`)), 20_000).catch(() => undefined);
  const polls = fx.sim.stats.getUpdates;
  await waitFor('two more polls', () => fx.sim.stats.getUpdates >= polls + 2, 10_000);
  const seen = replies(b);
  return { lost: texts.filter((t) => !seen.includes(`echo: ${t}`)).length, duplicates: seen.length - new Set(seen).size };
}

describe('Telegram bots', () => {
  it('answer through the simulator', async () => {
    const b = bot().start();
    await b.ready();
    expect(await stream(b, 5)).toEqual({ lost: 0, duplicates: 0 });
    expect(fx.sim.conflictsOf(b.token)).toBe(0);
  });

  it('started twice on one host: one polls, the other waits, and Telegram sees no conflict', async () => {
    const first = bot().start();
    await first.ready();
    const second = telegramBot(first.name, first.token, fx.sim.apiBase, { lock: { waitMs: 1_500 } }, path.dirname(first.runDir));
    fx.track(second.start());
    await waitFor('the second waiting', () => second.events('lock.waiting').some((e) => e.pid === second.child!.pid));
    expect(await stream(first, 5)).toEqual({ lost: 0, duplicates: 0 });
    expect(await second.wait()).toBe(RUNTIME_EXIT.LOCK_TIMEOUT);
    expect(fx.sim.conflictsOf(first.token)).toBe(0);
  });

  it('two pollers forced on one token: both log the 409s as conflict and neither crash-loops', async () => {
    const a = bot();
    const b = telegramBot(`${a.name}-copy`, a.token, fx.sim.apiBase);
    fx.track(b);
    a.start();
    b.start();
    await waitFor('conflicts in both logs', () => a.events('conflict').length >= 2 && b.events('conflict').length >= 2, 15_000);
    expect(fx.sim.conflictsOf(a.token)).toBeGreaterThanOrEqual(4);
    for (const p of [a, b]) {
      const waits = p.events('conflict').map((e) => e.waitMs as number);
      expect(waits[1]).toBeGreaterThan(waits[0]!);
      expect(Math.max(...waits)).toBeLessThanOrEqual(800);
      expect(String(p.events('conflict')[0]!.description)).toContain('terminated by other getUpdates request');
      expect(p.exitCode).toBeUndefined();
      expect(p.events('runtime.start')).toHaveLength(1);
    }
  });

  it('two pollers on one token under traffic: the backoff keeps growing while conflicts recur, and says so', async () => {
    const a = bot();
    const b = telegramBot(`${a.name}-twin`, a.token, fx.sim.apiBase);
    fx.track(b);
    a.start();
    b.start();
    // Traffic throughout: every successful poll between 409s used to reset the backoff.
    let sent = 0;
    const traffic = setInterval(() => fx.sim.say(a.token, `busy ${sent++}`), 100);
    try {
      await waitFor('both pollers at the longest backoff', () => [a, b].every((p) => p.events('conflict').some((e) => e.waitMs === 800)), 30_000, 50);
      const [p] = [a, b].filter((x) => x.events('conflict').length >= 5);
      const waits = (p ?? a).events('conflict').map((e) => e.waitMs as number);
      // Never back to the first step once the episode is under way.
      const peak = waits.indexOf(800);
      expect(waits.slice(peak).every((w) => w === 800)).toBe(true);
      expect(waits.slice(0, peak)).toEqual([...waits.slice(0, peak)].sort((x, y) => x - y));
      expect((p ?? a).events('conflict').slice(1).every((e) => e.recurring === true)).toBe(true);
    } finally {
      clearInterval(traffic);
    }
  });

  it('handles each update exactly once across a restart and a 429 storm', async () => {
    const b = bot().start();
    await b.ready();
    const r = await stream(b, 30, {
      8: async () => {
        expect(await b.stop()).toBe(RUNTIME_EXIT.OK);
      },
      11: async () => {
        await b.start().ready();
      },
      16: () => fx.sim.fault(b.token, { rateLimit: { remaining: 8, retryAfterS: 1 } }),
    });
    process.stdout.write(`telegram [restart + 429 storm]: sent=30 lost=${r.lost} duplicates=${r.duplicates}\n`);
    expect(r).toEqual({ lost: 0, duplicates: 0 });
    // The restart stopped the old poller completely before the new one polled.
    expect(fx.sim.conflictsOf(b.token)).toBe(0);
    expect(b.events('http.retry').some((e) => e.reason === '429' && e.waitMs === 1000)).toBe(true);
    expect(await b.stop()).toBe(RUNTIME_EXIT.OK);
    const saved = JSON.parse(readFileSync(path.join(b.runDir, 'telegram.json'), 'utf8'));
    expect(saved.offset).toBeGreaterThan(0);
    expect(saved.pending).toEqual([]);
  });

  it('stops on 401 with a clear error and exit 78, without a retry loop', async () => {
    const b = bot();
    fx.sim.fault(b.token, { unauthorized: true });
    const before = fx.sim.stats.unauthorized;
    b.start();
    expect(await b.wait()).toBe(RUNTIME_EXIT.FATAL);
    await waitFor('runtime.fatal', () => b.events('runtime.fatal').length === 1);
    expect(String(b.events('runtime.fatal')[0]!.error)).toMatch(/refused the token/);
    expect(fx.sim.stats.unauthorized - before).toBe(1);
    expect(readFileSync(b.logFile, 'utf8')).not.toContain(b.token.split(':')[1]);
  });
});
