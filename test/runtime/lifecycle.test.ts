import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENTS, RUNTIME_EXIT } from '../../src/runtime/events.js';
import { REPO, waitFor } from '../support/bots.js';
import { useSim } from '../support/simFixture.js';

const fx = useSim('life');
const FIXTURE = path.join(REPO, 'test/fixtures/bots/hang.mjs');
const bot = (overrides: Record<string, unknown> = {}) => fx.bot(overrides);

describe('SIGTERM', () => {
  it('finishes the handler in flight, saves its state, releases the lock and exits 0', async () => {
    const { b, roomId } = bot({ entry: FIXTURE });
    b.start();
    await b.ready();
    fx.sim.say(roomId, 'slow');
    await waitFor('the slow handler started', () => b.events('message.received').length === 1);
    expect(await b.stop()).toBe(RUNTIME_EXIT.OK);
    expect(fx.sim.repliesBy(b.token, roomId).map((m) => m.text)).toEqual(['echo: slow']);
    expect(b.status()).toMatchObject({ state: 'stopped', counters: { handled: 1, replied: 1 } });
    const state = JSON.parse(readFileSync(path.join(b.runDir, 'state.json'), 'utf8'));
    expect(state.handled).toHaveLength(1);
    // The lock is free at once: a new instance takes it without waiting.
    b.start();
    await b.ready();
    expect(b.events('lock.acquired').find((e) => e.pid === b.child!.pid)!.waitedMs).toBeLessThan(100);
    expect(b.events('lock.waiting')).toHaveLength(0);
  });
});

describe('a handler that throws', () => {
  it('is retried a bounded number of times, then given up', async () => {
    const { b, roomId } = bot({ entry: FIXTURE, handler: { timeoutMs: 1_000, attempts: 2 } });
    b.start();
    await b.ready();
    fx.sim.say(roomId, 'fail');
    await waitFor('handler.gave_up', () => b.events('handler.gave_up').length === 1, 10_000);
    expect(b.events('handler.error')).toHaveLength(1);
    fx.sim.say(roomId, 'after');
    await waitFor('the next message answered', () => fx.sim.repliesBy(b.token, roomId).some((m) => m.text === 'echo: after'));
  });
});

describe('heartbeat', () => {
  it('writes status.json with state, pid, release, versions, connection age and counters', async () => {
    const { b, roomId } = bot();
    b.start();
    await b.ready();
    fx.sim.say(roomId, 'hi');
    await waitFor('a status with one message handled', () => (b.status()?.counters as { handled?: number } | undefined)?.handled === 1);
    expect(b.status()).toMatchObject({
      state: 'ready', pid: b.child!.pid, bot: b.name, release: 'test', dependencies: { ws: '8.18.3', undici: '7.16.0' }, reconnects: 0,
      pool: { connected: expect.any(Number) },
    });
    expect(b.status()!.connectionAgeMs).toBeGreaterThan(0);
  });
});

describe('log rotation', () => {
  it('rotates by size, gzips rotated files and keeps the configured number', async () => {
    const { b, roomId } = bot({ log: { maxBytes: 4096, keep: 2 } });
    b.start();
    await b.ready();
    for (let i = 0; i < 60; i++) fx.sim.say(roomId, `line ${i}`);
    await waitFor('60 replies', () => fx.sim.repliesBy(b.token, roomId).length === 60);
    // Rotation runs while the bot writes: inspect the files once it has stopped and flushed.
    expect(await b.stop()).toBe(RUNTIME_EXIT.OK);
    const files = readdirSync(path.dirname(b.logFile));
    expect(files.filter((f) => f.endsWith('.gz')).length).toBe(2);
    const { gunzipSync } = await import('node:zlib');
    const gz = files.find((f) => f.endsWith('.gz'))!;
    const lines = gunzipSync(readFileSync(path.join(path.dirname(b.logFile), gz))).toString().trim().split('\n');
    expect(Object.keys(EVENTS)).toContain(JSON.parse(lines[0]!).event);
  });
});

describe('the example status bot', () => {
  it('answers /status with its release, dependency versions and uptime', async () => {
    const { b, roomId } = bot({ entry: path.join(REPO, 'dist/bots/status.js') });
    b.start();
    await b.ready();
    fx.sim.say(roomId, '/status');
    await waitFor('a status reply', () => fx.sim.repliesBy(b.token, roomId).length === 1);
    expect(fx.sim.repliesBy(b.token, roomId)[0]!.text).toMatch(new RegExp(`^${b.name} release test \\(ws@8\\.18\\.3 undici@7\\.16\\.0\\) up \\d+m\\d+s$`));
  });
});
