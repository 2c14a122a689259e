import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuntimeConfig, runtimeConfigSchema } from '../../src/runtime/config.js';
import { scrub } from '../../src/runtime/log.js';
import { backoff, DeadlineError, retryAfterMs, withDeadline } from '../../src/runtime/retry.js';
import { MessageState } from '../../src/runtime/state.js';

describe('backoff', () => {
  it.each([
    [0, 1, 100],
    [3, 1, 800],
    [10, 1, 5_000],
    [2, 0, 0],
  ])('attempt %d with random %d waits %d ms (base 100, cap 5000)', (attempt, r, ms) => {
    expect(backoff(attempt, 100, 5_000, () => r)).toBe(ms);
  });
});

describe('Retry-After', () => {
  it.each([
    ['2', 2_000],
    ['0.5', 500],
    ['Thu, 26 Nov 2026 10:00:03 GMT', 3_000],
    [undefined, undefined],
    ['soon', undefined],
  ])('%j is %j ms', (header, ms) => {
    expect(retryAfterMs(header, Date.parse('Thu, 26 Nov 2026 10:00:00 GMT'))).toBe(ms);
  });
});

describe('withDeadline', () => {
  it('rejects a step that never settles', async () => {
    await expect(withDeadline(new Promise(() => {}), 20, 'late')).rejects.toBeInstanceOf(DeadlineError);
  });
});

describe('scrub', () => {
  it('removes the token from every string, key and error', () => {
    const out = scrub({ url: 'https://x/?t=SECRET123', nested: [new Error('bad SECRET123')], token: 'anything', headers: { Authorization: 'Bearer x' } }, ['SECRET123']);
    expect(JSON.stringify(out)).not.toContain('SECRET123');
    expect(out).toEqual({ url: 'https://x/?t=[REDACTED]', nested: ['bad [REDACTED]'], token: '[REDACTED]', headers: { Authorization: '[REDACTED]' } });
  });
});

describe('message state', () => {
  const dir = () => mkdtempSync(path.join(os.tmpdir(), 'botctl-state-'));
  const t = (s: number) => new Date(Date.UTC(2026, 10, 26, 10, 0, s)).toISOString();

  it('claims a message once, and never again once handled, across a restart', () => {
    const d = dir();
    const s = new MessageState(d, new Date(t(0)));
    expect(s.claim('a', t(1))).toBe(true);
    expect(s.claim('a', t(1))).toBe(false);
    s.done('a');
    s.save();
    const again = new MessageState(d, new Date(t(30)));
    expect(again.claim('a', t(1))).toBe(false);
  });

  it('moves the confirmed position only by a listing, never by a message handled from the socket (issue 11)', () => {
    const d = dir();
    const s = new MessageState(d, new Date(t(0)));
    // The socket never delivers 'a' (t1); it delivers 'b' (t2), which is handled.
    s.claim('b', t(2));
    s.done('b');
    expect(s.since()).toBe(t(0));
    s.save();
    // A restart still lists from t0, so 'a' is found; 'b' is known and not offered again.
    const restarted = new MessageState(d, new Date(t(9)));
    expect(restarted.since()).toBe(t(0));
    expect(restarted.isKnown('b')).toBe(true);
    expect(restarted.claim('a', t(1))).toBe(true);
  });

  it('confirms up to a listing, but never past a message still in hand', () => {
    const d = dir();
    const s = new MessageState(d, new Date(t(0)));
    s.claim('a', t(1));
    s.claim('b', t(2));
    s.done('b');
    expect(s.confirm(t(5))).toBe(true);
    expect(s.since() < t(1)).toBe(true);
    // Saved with 'a' in hand: a restart looks back far enough to offer 'a' again.
    s.save();
    const restarted = new MessageState(d, new Date(t(9)));
    expect(restarted.since() < t(1)).toBe(true);
    expect(restarted.claim('a', t(1))).toBe(true);
    s.done('a');
    expect(s.confirm(t(5))).toBe(true);
    expect(s.since()).toBe(t(5));
    expect(s.isConfirmed(t(4))).toBe(true);
    expect(s.confirm(t(3))).toBe(false);
  });

  it('keeps state.json bounded: handled ids below the confirmed position are forgotten', () => {
    const d = dir();
    const s = new MessageState(d, new Date(t(0)));
    for (let i = 0; i < 100; i++) {
      s.claim(`m${i}`, t(1));
      s.done(`m${i}`);
    }
    s.claim('late', new Date(Date.UTC(2026, 10, 26, 10, 20, 0)).toISOString());
    s.done('late');
    expect(s.kept).toBe(101);
    // Twenty minutes later, confirmed: the t1 ids are far below it.
    s.confirm(new Date(Date.UTC(2026, 10, 26, 10, 20, 3)).toISOString());
    expect(s.kept).toBe(1);
    expect(s.isKnown('late')).toBe(true);
  });

  it('reads the state an earlier version wrote (cursor and bare ids)', () => {
    const d = dir();
    require('node:fs').writeFileSync(path.join(d, 'state.json'), JSON.stringify({ cursor: t(7), recent: ['x', 'y'] }));
    const s = new MessageState(d, new Date(t(30)));
    expect(s.since()).toBe(t(7));
    expect(s.claim('x', t(8))).toBe(false);
    expect(s.claim('z', t(8))).toBe(true);
  });

  it('starts a new bot at "now": older history is not answered', () => {
    expect(new MessageState(dir(), new Date(t(5))).since()).toBe(t(5));
  });

  it('remembers the first start even when nothing was handled, so the next start catches up from it', () => {
    const d = dir();
    new MessageState(d, new Date(t(5))).save();
    expect(new MessageState(d, new Date(t(50))).since()).toBe(t(5));
  });
});

describe('runtime config', () => {
  it('applies defaults for everything but identity and paths', () => {
    const cfg = runtimeConfigSchema.parse({ bot: 'echo', platform: 'webex', entry: '/x.js', runDir: '/tmp/r' });
    expect(cfg.http).toEqual({ connections: 50, retries: 3, timeoutMs: 120_000, backoffBaseMs: 500, backoffMaxMs: 30_000 });
    expect(cfg.websocket.pingIntervalMs).toBe(10_000);
    expect(cfg.lock.waitMs).toBe(30_000);
  });

  it('names every problem', () => {
    const file = path.join(dir(), 'bad.json');
    require('node:fs').writeFileSync(file, JSON.stringify({ bot: 'Bad Name', platform: 'irc', runDir: '/r', extra: 1 }));
    expect(() => loadRuntimeConfig(file)).toThrow(/bot: [\s\S]*platform: [\s\S]*entry: [\s\S]*extra/);
  });

  function dir(): string {
    return mkdtempSync(path.join(os.tmpdir(), 'botctl-cfg-'));
  }
});

describe('message state bound', () => {
  it('keeps at most `max` handled ids, forgetting the oldest first', () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'botctl-state-'));
    const s = new MessageState(d, new Date(Date.UTC(2026, 10, 26)), 3);
    for (const id of ['a', 'b', 'c', 'd']) {
      s.claim(id, new Date(Date.UTC(2026, 10, 26, 1)).toISOString());
      s.done(id);
    }
    expect(s.kept).toBe(3);
    expect(s.isKnown('a')).toBe(false);
    expect(s.isKnown('d')).toBe(true);
  });
});
