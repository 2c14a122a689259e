import { describe, expect, it } from 'vitest';
import { WebexSim } from '../../src/sim/webex/sim.js';
import type { BotProcess } from '../support/bots.js';
import { useSim } from '../support/simFixture.js';
import { stream } from './stream.js';

const fx = useSim('faulty');

/** A fresh bot (own token, room, run dir) started and ready, sweeping every second. */
async function freshBot(): Promise<{ bot: BotProcess; roomId: string; token: string }> {
  const { b, roomId, token } = fx.bot({ catchUp: { quietMs: 600, sweepMs: 1_000, graceMs: 300 } });
  await b.start().ready();
  return { bot: b, roomId, token };
}

const N = 20;

// Each fault is switched on before message 5 and, where it persists, off before message 12.
// The last column is the log event proving the bot met the fault, so no case passes by missing it.
type Fault = (sim: WebexSim, token: string) => { on: () => void; off?: () => void };
const MATRIX: [string, Fault, string, Record<string, unknown>][] = [
  ['a killed socket', (s, t) => ({ on: () => void s.hub.kill(t) }), 'ws.reconnected', {}],
  ['a silent-stale socket (pings answered, nothing routed)', (s, t) => ({ on: () => s.hub.goStale(t) }), 'ws.stale', {}],
  ['dropped pongs', (s, t) => ({ on: () => s.fault(t, { dropPongs: true }), off: () => s.fault(t, { dropPongs: false }) }), 'ws.pong_timeout', {}],
  ['a frozen socket whose close is never answered', (s, t) => ({ on: () => s.hub.freeze(t) }), 'ws.pong_timeout', {}],
  ["REST stalled past the bot's timeout", (s, t) => ({ on: () => s.fault(t, { restDelayMs: 1_500 }), off: () => s.fault(t, { restDelayMs: 0 }) }), 'http.timeout', {}],
  ['429 with Retry-After', (s, t) => ({ on: () => s.fault(t, { rateLimit: { remaining: 6, retryAfterS: 1 } }) }), 'http.retry', { reason: '429', waitMs: 1000 }],
  ['a burst of 5xx', (s, t) => ({ on: () => s.fault(t, { serverErrors: { remaining: 5, status: 503 } }) }), 'http.retry', { reason: '503' }],
  ['every third message held back from a healthy socket', (s, t) => ({ on: () => s.fault(t, { holdBack: { next: 0, every: 3 } }), off: () => s.fault(t, { holdBack: { next: 0, every: 0 } }) }), 'catchup.done', { reason: 'sweep' }],
];

describe('fault matrix: every message gets exactly one reply', () => {
  it.each(MATRIX)('across %s', async (name, make, evidence, fields) => {
    const { bot: b, roomId, token } = await freshBot();
    const fault = make(fx.sim, token);
    const r = await stream(fx.sim, b, roomId, N, { 5: fault.on, 12: () => fault.off?.() });
    process.stdout.write(`fault matrix [${name}]: sent=${r.sent} lost=${r.lost} duplicates=${r.duplicates}\n`);
    expect(r).toEqual({ sent: N, lost: 0, duplicates: 0 });
    expect(b.events(evidence).some((e) => Object.entries(fields).every(([k, v]) => e[k] === v))).toBe(true);
  });

  it('across a restart of the bot in the middle of the stream', async () => {
    const { bot: b, roomId } = await freshBot();
    const r = await stream(fx.sim, b, roomId, N, {
      8: async () => {
        expect(await b.stop()).toBe(0);
      },
      11: async () => {
        b.start();
        await b.ready();
      },
    });
    process.stdout.write(`fault matrix [restart]: sent=${r.sent} lost=${r.lost} duplicates=${r.duplicates}\n`);
    expect(r).toEqual({ sent: N, lost: 0, duplicates: 0 });
    // The restarted bot reused its device instead of registering another.
    expect(b.events('device.registered')).toHaveLength(1);
    expect(b.events('device.found')).toHaveLength(1);
  });
});
