import { afterAll, afterEach, beforeAll } from 'vitest';
import { WebexSim } from '../../src/sim/webex/sim.js';
import { BotProcess } from './bots.js';

export interface SimFixture {
  readonly sim: WebexSim;
  /** A new bot identity with a direct room, as a process not yet started; stopped after each test. */
  bot(overrides?: Record<string, unknown>): { b: BotProcess; roomId: string; token: string };
  /** Stops this process after the test too (a second instance of a bot, say). */
  track(b: BotProcess): BotProcess;
}

/** One simulator for a test file; every bot started through it is stopped after its test. */
export function useSim(prefix: string): SimFixture {
  let sim: WebexSim;
  const started: BotProcess[] = [];
  let seq = 0;
  beforeAll(async () => {
    sim = new WebexSim();
    await sim.start();
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((b) => b.stop()));
  });
  afterAll(async () => {
    await sim.stop();
  });
  return {
    get sim() {
      return sim;
    },
    bot(overrides = {}) {
      const n = ++seq;
      const token = `token-${prefix}-${n}-abcdef`;
      sim.addBot(token, `${prefix}${n}`);
      const b = new BotProcess(`${prefix}${n}`, token, sim, overrides);
      started.push(b);
      return { b, roomId: sim.directRoom(token).id, token };
    },
    track(b) {
      started.push(b);
      return b;
    },
  };
}
