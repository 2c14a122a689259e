import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/fleet/duration.js';

describe('durations', () => {
  it.each([
    ['250ms', 250],
    ['10s', 10_000],
    ['1.5s', 1_500],
    ['2m', 120_000],
    ['12h', 43_200_000],
    ['1d', 86_400_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['2 minutes', '10', 's', '-5s', '1w', '10S', ''])('%j is not a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it.each([
    [120_000, '2m'],
    [1_500, '1500ms'],
    [43_200_000, '12h'],
    [10_000, '10s'],
  ])('%d ms prints as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
