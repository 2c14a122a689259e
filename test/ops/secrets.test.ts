import { describe, expect, it } from 'vitest';
import type { Bot } from '../../src/fleet/types.js';
import { readSecrets } from '../../src/ops/secrets.js';

const bot = (name: string, ref: string) => ({ name, token: { kind: 'env', ref } }) as unknown as Bot;

describe('secrets read before anything changes', () => {
  it('reads env secrets', () => {
    expect(readSecrets([bot('a', 'TA')], { TA: 'tok-a_1:B-2' })).toEqual(new Map([['a', 'tok-a_1:B-2']]));
  });

  it('names every missing secret at once', () => {
    expect(() => readSecrets([bot('a', 'TA'), bot('b', 'TB')], {})).toThrow('missing secrets: a needs env:TA; b needs env:TB; nothing was changed');
  });

  it.each(['tok"quoted', "tok'quoted", 'back\\slash', ' padded', 'dollar$x', 'line\nbreak'])('refuses %j, which systemd or a shell would rewrite, without echoing it', (value) => {
    let message = '';
    try {
      readSecrets([bot('a', 'TA')], { TA: value });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^the secret env:TA of a cannot be written safely: .*; nothing was changed$/);
    expect(message).not.toContain(value.trim());
  });
});
