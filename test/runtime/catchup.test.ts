import { describe, expect, it } from 'vitest';
import { waitFor } from '../support/bots.js';
import { useSim } from '../support/simFixture.js';

const fx = useSim('catchup');

describe('catch-up over REST', () => {
  it('pages back through several pages of messages missed while the bot was down', async () => {
    const { b, roomId } = fx.bot({ catchUp: { quietMs: 60_000, sweepMs: 600_000, graceMs: 300, pageSize: 20 } });
    await b.start().ready();
    expect(await b.stop()).toBe(0);
    const texts = Array.from({ length: 75 }, (_, i) => `missed ${i}`);
    for (const t of texts) fx.sim.say(roomId, t);
    await b.start().ready();
    const replies = () => fx.sim.repliesBy(b.token, roomId).map((m) => m.text);
    await waitFor('all 75 answered', () => texts.every((t) => replies().includes(`echo: ${t}`)));
    // Each exactly once (handlers run concurrently, so replies may interleave).
    expect([...replies()].sort()).toEqual(texts.map((t) => `echo: ${t}`).sort());
    const done = b.events('catchup.done').filter((e) => e.pid === b.child!.pid && e.reason === 'start');
    expect(done[0]!.found).toBe(75);
  });

  it('answers only mentions in a group room, live and after a restart', async () => {
    const { b, token } = fx.bot({ catchUp: { quietMs: 60_000, sweepMs: 600_000, graceMs: 300 } });
    const other = fx.bot();
    const group = fx.sim.groupRoom('ops', [token, other.token]).id;
    await b.start().ready();
    fx.sim.say(group, 'live, for us', [token]);
    fx.sim.say(group, 'live, not for us');
    fx.sim.say(group, 'live, for the other bot', [other.token]);
    await waitFor('the mention answered', () => fx.sim.repliesBy(token, group).length === 1);
    expect(await b.stop()).toBe(0);
    fx.sim.say(group, 'while down, for us', [token]);
    fx.sim.say(group, 'while down, not for us');
    await b.start().ready();
    await waitFor('the missed mention answered', () => fx.sim.repliesBy(token, group).length === 2);
    // The bot's name is stripped from the text its handler sees.
    expect(fx.sim.repliesBy(token, group).map((m) => m.text)).toEqual(['echo: live, for us', 'echo: while down, for us']);
  });
});
