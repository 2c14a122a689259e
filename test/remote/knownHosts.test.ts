import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { knownHostsName, knownKeyTypes, parseKnownHosts, patternsMatch, verifyHostKey } from '../../src/remote/knownHosts.js';

function blob(type: string, body: string): Buffer {
  const t = Buffer.from(type);
  const b = Buffer.from(body);
  const len = (n: number) => {
    const x = Buffer.alloc(4);
    x.writeUInt32BE(n);
    return x;
  };
  return Buffer.concat([len(t.length), t, len(b.length), b]);
}
const KEY_A = blob('ssh-ed25519', 'a'.repeat(32));
const KEY_B = blob('ssh-ed25519', 'b'.repeat(32));
const KEY_R = blob('ecdsa-sha2-nistp256', 'r'.repeat(65));

function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

describe('known_hosts', () => {
  it.each([
    ['lab-vm', 22, 'lab-vm'],
    ['10.0.0.5', 2222, '[10.0.0.5]:2222'],
  ])('names %s port %d as %s', (host, port, name) => {
    expect(knownHostsName(host, port)).toBe(name);
  });

  it.each([
    ['lab-vm,10.0.0.5', 'lab-vm', true],
    ['lab-vm,10.0.0.5', '10.0.0.5', true],
    ['*.example.com', 'vm1.example.com', true],
    ['*.example.com,!bad.example.com', 'bad.example.com', false],
    ['vm?', 'vm1', true],
    ['[127.0.0.1]:2222', '[127.0.0.1]:2222', true],
    ['[127.0.0.1]:2222', '127.0.0.1', false],
    ['lab-vm', 'lab-vm2', false],
  ])('pattern %s matches %s: %s', (patterns, name, expected) => {
    expect(patternsMatch(patterns, name)).toBe(expected);
  });

  it('matches hashed entries by HMAC, and only for the same name', () => {
    const field = hashed('[127.0.0.1]:2222');
    expect(patternsMatch(field, '[127.0.0.1]:2222')).toBe(true);
    expect(patternsMatch(field, '127.0.0.1')).toBe(false);
  });

  const file = [
    '# comment',
    `lab-vm ssh-ed25519 ${KEY_A.toString('base64')}`,
    `@revoked * ecdsa-sha2-nistp256 ${KEY_R.toString('base64')}`,
    `@cert-authority *.corp ssh-ed25519 ${KEY_B.toString('base64')}`,
    `${hashed('[10.0.0.9]:2200')} ssh-ed25519 ${KEY_B.toString('base64')} note`,
  ].join('\n');
  const entries = parseKnownHosts(file, '/kh');

  it('judges known, unknown, changed and revoked keys', () => {
    expect(verifyHostKey(entries, 'lab-vm', KEY_A)).toMatchObject({ status: 'known', entry: { file: '/kh', line: 2 } });
    expect(verifyHostKey(entries, 'other', KEY_A)).toEqual({ status: 'unknown' });
    expect(verifyHostKey(entries, 'lab-vm', KEY_B)).toMatchObject({ status: 'changed', entries: [{ line: 2 }] });
    expect(verifyHostKey(entries, 'lab-vm', KEY_R)).toMatchObject({ status: 'revoked', entry: { line: 3 } });
    expect(verifyHostKey(entries, '[10.0.0.9]:2200', KEY_B)).toMatchObject({ status: 'known', entry: { line: 5 } });
  });

  it('does not trust a CA line as a host key (certificates are not supported)', () => {
    expect(verifyHostKey(entries, 'vm.corp', KEY_B)).toEqual({ status: 'unknown' });
  });

  it('lists the key types recorded for a host', () => {
    expect(knownKeyTypes(entries, 'lab-vm')).toEqual(['ssh-ed25519']);
    expect(knownKeyTypes(entries, 'nobody')).toEqual([]);
  });
});
