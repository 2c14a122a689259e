import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { quoteArgv, shellQuote, shScript } from '../../src/remote/quote.js';

const HOSTILE = ["'; rm -rf / #", '$(id)', '`id`', 'a\nb', "it's", '"double"', '\\', '*', '~', '$HOME', '!', '', ' lead', '-n'];

describe('shellQuote', () => {
  it.each([
    ['plain', 'plain'],
    ['/opt/bots/releases/abc', '/opt/bots/releases/abc'],
    ['', "''"],
    ["'; rm -rf / #", `''\\''; rm -rf / #'`],
    ['$(id)', "'$(id)'"],
    ['`id`', "'`id`'"],
    ['a\nb', "'a\nb'"],
    ["it's", `'it'\\''s'`],
  ])('quotes %j as %j', (input, expected) => {
    expect(shellQuote(input)).toBe(expected);
  });

  it.each(HOSTILE.map((h) => [h]))('%j survives a real sh unchanged', (hostile) => {
    const out = execFileSync('sh', ['-c', `printf '%s' ${shellQuote(hostile)}`]).toString();
    expect(out).toBe(hostile);
  });
});

describe('quoteArgv', () => {
  it('joins quoted words with spaces', () => {
    expect(quoteArgv(['printf', '%s', '$(id)'])).toBe("printf %s '$(id)'");
  });

  it('keeps every hostile argument one word', () => {
    const out = execFileSync('sh', ['-c', quoteArgv(['printf', '[%s]', ...HOSTILE])]).toString();
    expect(out).toBe(HOSTILE.map((h) => `[${h}]`).join(''));
  });

  it('refuses a NUL byte instead of truncating', () => {
    expect(() => quoteArgv(['echo', 'a\0b'])).toThrow(/NUL/);
  });

  it('refuses an empty argv', () => {
    expect(() => quoteArgv([])).toThrow();
  });
});

describe('shScript', () => {
  it('passes arguments as positional parameters, never as script text', () => {
    expect(shScript('echo "$1"', ['$(id)'])).toEqual(['sh', '-c', 'echo "$1"', 'sh', '$(id)']);
    const out = execFileSync('sh', ['-c', quoteArgv(shScript('printf %s "$1"', ['`id`; $(id)']))]).toString();
    expect(out).toBe('`id`; $(id)');
  });
});
