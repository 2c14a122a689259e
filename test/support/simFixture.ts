import { afterAll, afterEach, beforeAll } from 'vitest';
import { TelegramSim } from '../../src/sim/telegram/sim.js';
import { WebexSim } from '../../src/sim/webex/sim.js';
import { BotProcess, telegramBot } from './bots.js';

interface Server { start(): Promise<unknown>; stop(): Promise<void> }

/** Starts a simulator for the file and stops, after each test, every bot started through it. */
function lifecycle<S extends Server>(make: () => S): { sim: () => S; track: (b: BotProcess) => BotProcess } {
  let sim: S;
  const started: BotProcess[] = [];
  beforeAll(async () => {
    sim = make();
    await sim.start();
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((b) => b.stop()));
  });
  afterAll(async () => {
    await sim.stop();
  });
  return {
    sim: () => sim,
    track: (b) => {
      started.push(b);
      return b;
    },
  };
}

export interface SimFixture<S> {
  readonly sim: S;
  /** A new bot identity as a process not yet started; stopped after each test. */
  bot(overrides?: Record<string, unknown>): { b: BotProcess; roomId: string; token: string };
  /** Stops this process after the test too (a second instance of a bot, say). */
  track(b: BotProcess): BotProcess;
}

/** One Webex simulator for a test file; each bot gets a token and a direct room. */
export function useSim(prefix: string): SimFixture<WebexSim> {
  const life = lifecycle(() => new WebexSim());
  let seq = 0;
  return {
    get sim() {
      return life.sim();
    },
    bot(overrides = {}) {
      const n = ++seq;
      const token = `token-${prefix}-${n}-abcdef`;
      life.sim().addBot(token, `${prefix}${n}`);
      const b = life.track(new BotProcess(`${prefix}${n}`, token, life.sim(), overrides));
      return { b, roomId: life.sim().directRoom(token).id, token };
    },
    track: life.track,
  };
}

/** One Telegram simulator for a test file; each bot gets a token (its chat is the ops user's). */
export function useTelegramSim(prefix: string): SimFixture<TelegramSim> {
  const life = lifecycle(() => new TelegramSim());
  let seq = 0;
  return {
    get sim() {
      return life.sim();
    },
    bot(overrides = {}) {
      const n = ++seq;
      const token = `${9000 + n}:${prefix}-secret-token-${n}`;
      life.sim().addBot(token, `${prefix}${n}`);
      const b = life.track(telegramBot(`${prefix}${n}`, token, life.sim().apiBase, overrides));
      return { b, roomId: '', token };
    },
    track: life.track,
  };
}
