import { readFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RUNTIME_NODE_FLAGS } from '../src/runtime/events.js';
import { WebexSim } from '../src/sim/webex/sim.js';
import { BotProcess, waitFor } from '../test/support/bots.js';
import { median, ms, percentile, type Row } from './lib.js';

const mb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** Sends n messages into a room at `perSecond`, and returns each one's say -> reply latency. */
async function latencies(sim: WebexSim, token: string, roomId: string, n: number, perSecond: number, onTick?: () => void): Promise<number[]> {
  const sentAt = new Map<string, number>();
  const got: number[] = [];
  const seen = sim.repliesBy(token, roomId).length;
  const origPost = sim.post.bind(sim);
  sim.post = (author, room, text, extra) => {
    const m = origPost(author, room, text, extra);
    const t = sentAt.get(text.replace(/^echo: /, ''));
    if (room === roomId && text.startsWith('echo: ') && t !== undefined) got.push(performance.now() - t);
    return m;
  };
  for (let i = 0; i < n; i++) {
    const text = `b${i}`;
    sentAt.set(text, performance.now());
    sim.say(roomId, text);
    onTick?.();
    await new Promise((r) => setTimeout(r, 1000 / perSecond));
  }
  await waitFor('all replies', () => sim.repliesBy(token, roomId).length >= seen + n, 60_000);
  sim.post = origPost;
  return got;
}

/** The raw baseline bot (bench/rawBot.ts) as its own process, with the runtime's node flags. */
async function rawBot(sim: WebexSim, token: string): Promise<ChildProcess> {
  const before = sim.stats.socketsAuthorized;
  const child = spawn(process.execPath, [...RUNTIME_NODE_FLAGS, fileURLToPath(new URL('./rawBot.js', import.meta.url)), sim.urls.apiBase, sim.urls.wdmBase, token], { stdio: 'inherit' });
  // With no catch-up, a message sent before its socket is authorized would simply be lost.
  await waitFor('the raw bot authorized', () => sim.stats.socketsAuthorized > before);
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Idle RSS after a settle, and peak RSS while `load` runs. */
async function footprint(pid: number, load: (tick: () => void) => Promise<unknown>): Promise<{ idle: number; peak: number }> {
  await new Promise((r) => setTimeout(r, 2_000));
  const idle = mb(pid);
  let peak = idle;
  await load(() => (peak = Math.max(peak, mb(pid))));
  return { idle, peak };
}

/** RSS after 10,000 and after 20,000 more messages, each after the same 2 s settle. */
async function growth(pid: number, tenThousand: () => Promise<unknown>): Promise<{ after10: number; after20: number }> {
  const settle = () => new Promise((r) => setTimeout(r, 2_000));
  await tenThousand();
  await settle();
  const after10 = mb(pid);
  await tenThousand();
  await settle();
  return { after10, after20: mb(pid) };
}

export async function runtimeBench(rows: Row[]): Promise<void> {
  const sim = new WebexSim();
  await sim.start();
  try {
    sim.addBot('bench-token-aaaaaa', 'Bench');
    const room = sim.directRoom('bench-token-aaaaaa').id;
    const bot = new BotProcess('bench', 'bench-token-aaaaaa', sim, { websocket: {}, catchUp: {}, http: {}, heartbeatMs: 5_000, handler: {} }).start();
    await bot.ready();
    await latencies(sim, bot.token, room, 50, 50); // warm-up
    let burst: number[] = [];
    const mine = await footprint(bot.child!.pid!, async (tick) => (burst = await latencies(sim, bot.token, room, 1_000, 200, tick)));
    const quiet = await latencies(sim, bot.token, room, 300, 50);
    const grown = await growth(bot.child!.pid!, () => latencies(sim, bot.token, room, 10_000, 200));
    await bot.stop();

    sim.addBot('raw-token-bbbbbb', 'Raw');
    const rawRoom = sim.directRoom('raw-token-bbbbbb').id;
    const raw = await rawBot(sim, 'raw-token-bbbbbb');
    await latencies(sim, 'raw-token-bbbbbb', rawRoom, 50, 50);
    const base = await footprint(raw.pid!, (tick) => latencies(sim, 'raw-token-bbbbbb', rawRoom, 1_000, 200, tick));
    const rawQuiet = await latencies(sim, 'raw-token-bbbbbb', rawRoom, 300, 50);
    const rawGrown = await growth(raw.pid!, () => latencies(sim, 'raw-token-bbbbbb', rawRoom, 10_000, 200));
    await stopChild(raw);

    const rawWhat = 'raw ws + undici bot, same flags';
    rows.push({ what: 'RSS of one idle bot', botctl: `${mine.idle.toFixed(1)} MB`, baseline: `${base.idle.toFixed(1)} MB`, baselineWhat: rawWhat, compare: `+${(mine.idle - base.idle).toFixed(1)} MB`, target: '<= raw + 5 MB', met: mine.idle <= base.idle + 5 });
    rows.push({ what: 'RSS peak in a 200 msg/s burst (1000 msgs)', botctl: `${mine.peak.toFixed(1)} MB`, baseline: `${base.peak.toFixed(1)} MB`, baselineWhat: rawWhat, compare: `+${(mine.peak - base.peak).toFixed(1)} MB`, target: '-', met: true });
    const plus = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)} MB`;
    rows.push({
      what: 'RSS growth: idle -> after 10,000 messages (200 msg/s), settled', botctl: `${plus(grown.after10 - mine.idle)} (${grown.after10.toFixed(1)} MB)`,
      baseline: `${plus(rawGrown.after10 - base.idle)} (${rawGrown.after10.toFixed(1)} MB)`, baselineWhat: rawWhat, compare: '', target: '<= +5 MB', met: grown.after10 - mine.idle <= 5,
    });
    rows.push({
      what: 'RSS growth: after 10,000 -> after 20,000 messages (a leak grows here)', botctl: plus(grown.after20 - grown.after10),
      baseline: plus(rawGrown.after20 - rawGrown.after10), baselineWhat: rawWhat, compare: '', target: '<= +2 MB', met: grown.after20 - grown.after10 <= 2,
    });
    const over50 = median(quiet) - median(rawQuiet);
    const over99 = percentile(quiet, 99) - percentile(rawQuiet, 99);
    rows.push({
      what: 'reply latency at 50 msg/s, p50 / p99',
      botctl: `${ms(median(quiet))} / ${ms(percentile(quiet, 99))}`,
      baseline: `${ms(median(rawQuiet))} / ${ms(percentile(rawQuiet, 99))}`,
      baselineWhat: rawWhat,
      compare: `runtime adds ${ms(over50)} / ${ms(over99)}`,
      target: 'p99 overhead <= 20 ms',
      met: over99 <= 20,
    });
    rows.push({ what: 'reply latency in the 200 msg/s burst, p50 / p99', botctl: `${ms(median(burst))} / ${ms(percentile(burst, 99))}`, baseline: '-', baselineWhat: '', compare: '', target: '-', met: true });

    await reconnects(sim, rows);
  } finally {
    await sim.stop();
  }
}

/** Killed socket (default timings) and frozen peer (1 s / 500 ms pings): time to a new authorized socket. */
async function reconnects(sim: WebexSim, rows: Row[]): Promise<void> {
  for (const [what, ping, pong, hurt] of [
    ['killed socket -> reconnected (default 10 s / 5 s pings)', 10_000, 5_000, (t: string) => void sim.hub.kill(t)],
    ['frozen peer -> reconnected (1 s / 500 ms pings)', 1_000, 500, (t: string) => sim.hub.freeze(t)],
  ] as const) {
    const token = `reconnect-${ping}-cccccc`;
    sim.addBot(token, 'Reconnect');
    const bot = new BotProcess(`reconnect${ping}`, token, sim, { websocket: { pingIntervalMs: ping, pingTimeoutMs: pong }, catchUp: {}, http: {}, handler: {} }).start();
    await bot.ready();
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = sim.stats.socketsAuthorized;
      const t0 = performance.now();
      hurt(token);
      await waitFor('a new socket', () => sim.stats.socketsAuthorized > before, 30_000, 5);
      times.push(performance.now() - t0);
    }
    await bot.stop();
    const bound = ping + pong + 2_000;
    rows.push({ what, botctl: `${ms(median(times))} median, ${ms(Math.max(...times))} max`, baseline: `${bound} ms`, baselineWhat: 'pingInterval + pingTimeout + 2 s', compare: '', target: '<= bound', met: Math.max(...times) <= bound });
  }
}
