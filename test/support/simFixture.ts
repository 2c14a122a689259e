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

/** A simulator for the file, and bots made on it with numbered names and tokens. */
function fixture<S extends Server & { addBot(token: string, name: string): unknown }>(
  make: () => S,
  prefix: string,
  tokenOf: (n: number) => string,
  start: (sim: S, name: string, token: string, overrides: Record<string, unknown>) => { b: BotProcess; roomId: string },
): SimFixture<S> {
  const life = lifecycle(make);
  let seq = 0;
  return {
    get sim() {
      return life.sim();
    },
    bot(overrides = {}) {
      const n = ++seq;
      const token = tokenOf(n);
      life.sim().addBot(token, `${prefix}${n}`);
      const { b, roomId } = start(life.sim(), `${prefix}${n}`, token, overrides);
      return { b: life.track(b), roomId, token };
    },
    track: life.track,
  };
}

/** One Webex simulator for a test file; each bot gets a token and a direct room. */
export function useSim(prefix: string): SimFixture<WebexSim> {
  return fixture(() => new WebexSim(), prefix, (n) => `token-${prefix}-${n}-abcdef`, (sim, name, token, overrides) => ({
    b: new BotProcess(name, token, sim, overrides),
    roomId: sim.directRoom(token).id,
  }));
}

/** One Telegram simulator for a test file; each bot gets a token (its chat is the ops user's). */
export function useTelegramSim(prefix: string): SimFixture<TelegramSim> {
  return fixture(() => new TelegramSim(), prefix, (n) => `${9000 + n}:${prefix}-secret-token-${n}`, (sim, name, token, overrides) => ({
    b: telegramBot(name, token, sim.apiBase, overrides),
    roomId: '',
  }));
}
