import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUNTIME_EXIT } from '../../src/runtime/events.js';
import { BotProcess, REPO, waitFor } from '../support/bots.js';
import { useSim } from '../support/simFixture.js';

const fx = useSim('incident');

const replies = (b: BotProcess, roomId: string) => fx.sim.repliesBy(b.token, roomId).map((m) => m.text);

describe('incident 002: the first message after a long idle is answered', () => {
  it('answers it although the socket went stale while idle', async () => {
    const quietMs = 400;
    const { b, roomId } = fx.bot({ catchUp: { quietMs, sweepMs: 600_000, graceMs: 300 } });
    b.start();
    await b.ready();
    fx.sim.hub.goStale(b.token);
    // The idle night, compressed: several quiet periods with nothing to find.
    const idleFrom = new Date().toISOString();
    await waitFor('three quiet catch-ups', () => b.events('catchup.done').filter((e) => e.time > idleFrom && e.reason === 'quiet').length >= 3);
    const sentAt = Date.now();
    fx.sim.say(roomId, 'good morning');
    await waitFor('the first message answered', () => replies(b, roomId).includes('echo: good morning'), 5_000);
    const answeredIn = Date.now() - sentAt;
    process.stdout.write(`incident 002: first message after idle answered in ${answeredIn} ms (quietMs ${quietMs})\n`);
    expect(answeredIn).toBeLessThan(quietMs * 2 + 1_000);
    // Log lines reach the file asynchronously: wait for the line, with a deadline.
    await waitFor('ws.stale logged', () => b.events('ws.stale').length === 1);
    // ...and the bot reconnected, so the next message comes over the socket again.
    await waitFor('reconnected', () => b.events('ws.reconnected').length > 0);
    // Once the reconnect's catch-up is done, a new message can only come over the socket.
    await waitFor('the reconnect catch-up done', () => b.events('catchup.done').some((e) => e.reason === 'reconnect'));
    fx.sim.say(roomId, 'second');
    await waitFor('the second message answered', () => replies(b, roomId).includes('echo: second'));
    expect(b.events('message.received').at(-1)!.source).toBe('socket');
  });
});

describe('incident 003: nothing hangs the reconnection', () => {
  it('reconnects within its bound although close() is never answered and a handler never returns', async () => {
    const { b, roomId } = fx.bot({ entry: path.join(REPO, 'test/fixtures/bots/hang.mjs'), handler: { timeoutMs: 500 } });
    b.start();
    await b.ready();
    fx.sim.say(roomId, 'hang');
    await waitFor('the hanging handler to start', () => b.events('message.received').length === 1);
    // The peer vanishes mid-connection: pings and the close handshake go unanswered.
    fx.sim.hub.freeze(b.token);
    const frozenAt = Date.now();
    await waitFor('a new connection', () => b.events('ws.reconnected').length > 0, 5_000);
    const took = Date.now() - frozenAt;
    const bound = 300 + 200 + 500 + 1_000; // pingInterval + pingTimeout + max backoff + slack
    process.stdout.write(`incident 003: reconnected ${took} ms after the peer froze (bound ${bound} ms)\n`);
    expect(took).toBeLessThan(bound);
    await waitFor('handler.timeout logged', () => b.events('handler.timeout').length === 1);
    fx.sim.say(roomId, 'still here?');
    await waitFor('a reply after reconnection', () => replies(b, roomId).includes('echo: still here?'));
  });

  it('replaces an old connection proactively, opening the new one before closing the old', async () => {
    const { b, roomId } = fx.bot({ websocket: { maxConnectionAgeMs: 700, pingIntervalMs: 300, pingTimeoutMs: 200, closeTimeoutMs: 300 } });
    b.start();
    await b.ready();
    await waitFor('a proactive reconnection', () => b.events('ws.reconnected').some((e) => e.proactive === true));
    const replaced = b.events('ws.proactive_reconnect')[0]!.conn as string;
    const fresh = b.events('ws.reconnected').find((e) => e.proactive)!.conn as string;
    await waitFor('the old connection closed', () => b.events('ws.closed').some((e) => e.conn === replaced));
    const logs = b.logs().map((l) => `${l.event}:${String(l.conn ?? '')}`);
    // The new socket was connected before the old one's close was logged.
    expect(logs.indexOf(`ws.connected:${fresh}`)).toBeLessThan(logs.indexOf(`ws.closed:${replaced}`));
    fx.sim.say(roomId, 'after');
    await waitFor('a reply on the new connection', () => replies(b, roomId).includes('echo: after'));
  });
});

describe('incident 004: one instance per bot', () => {
  it('a second start waits on the lock, then exits with the lock-timeout code; never two connected', async () => {
    const { b: first } = fx.bot();
    first.start();
    await first.ready();
    let most = 0;
    const sampler = setInterval(() => (most = Math.max(most, fx.sim.hub.of(first.token).length)), 5);
    const second = new BotProcess(first.name, first.token, fx.sim, { lock: { waitMs: 800 } }, path.dirname(first.runDir)).start();
    fx.track(second);
    expect(await second.wait()).toBe(RUNTIME_EXIT.LOCK_TIMEOUT);
    clearInterval(sampler);
    expect(second.events('lock.waiting').some((e) => (e.holder as { pid: number }).pid === first.child!.pid)).toBe(true);
    await waitFor('lock.timeout logged', () => second.events('lock.timeout').length === 1);
    expect(most).toBe(1);
  });

  it('a waiting instance takes over at once when the holder dies', async () => {
    const { b: first, roomId } = fx.bot();
    first.start();
    await first.ready();
    let most = 0;
    const sampler = setInterval(() => (most = Math.max(most, fx.sim.hub.of(first.token).length)), 5);
    const second = new BotProcess(first.name, first.token, fx.sim, { lock: { waitMs: 10_000 } }, path.dirname(first.runDir)).start();
    fx.track(second);
    await waitFor('the second instance waiting', () => second.events('lock.waiting').length > 0);
    const killedAt = Date.now();
    await first.kill9();
    // Both instances of one bot write the same log file: pick the survivor's lines by pid.
    await second.ready();
    const tookOver = Date.parse(second.events('lock.acquired').find((e) => e.pid === second.child!.pid)!.time) - killedAt;
    clearInterval(sampler);
    process.stdout.write(`incident 004: lock taken over ${tookOver} ms after the holder was killed\n`);
    expect(tookOver).toBeLessThan(500);
    expect(most).toBe(1);
    fx.sim.say(roomId, 'who answers?');
    await waitFor('the survivor answers', () => fx.sim.repliesBy(first.token, roomId).length === 1);
  });
});
