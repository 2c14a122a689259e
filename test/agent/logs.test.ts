import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLog } from '../../src/agent/logs.js';

const line = (s: number, event: string) => JSON.stringify({ time: `2026-11-26T10:00:${String(s).padStart(2, '0')}.000Z`, level: 'info', event });

describe('reading a log where it lies', () => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'botctl-log-')), 'b.log');
  writeFileSync(file, `${[1, 2, 3, 4].map((s) => line(s, `e${s}`)).join('\n')}\n`);

  it('tails the last lines and reports where it stopped', () => {
    const r = readLog(file, -1, 2);
    expect(r.lines.map((l) => JSON.parse(l).event)).toEqual(['e3', 'e4']);
    expect(r.offset).toBe(r.size);
  });

  it('follows from an offset, leaving a partial last line for the next read', () => {
    const first = readLog(file, -1, 10);
    appendFileSync(file, `${line(5, 'e5')}\n{"time":"2026-11-26T10:00:06`);
    const next = readLog(file, first.offset, 10);
    expect(next.lines.map((l) => JSON.parse(l).event)).toEqual(['e5']);
    appendFileSync(file, '.000Z","level":"info","event":"e6"}\n');
    expect(readLog(file, next.offset, 10).lines.map((l) => JSON.parse(l).event)).toEqual(['e6']);
  });

  it('starts over when the file was rotated under it', () => {
    const r = readLog(file, 10_000_000, 10);
    expect(r.rotated).toBe(true);
    expect(r.lines[0]).toContain('"e1"');
  });

  it('filters by time and by a literal substring on the VM', () => {
    expect(readLog(file, -1, 10, '2026-11-26T10:00:04.000Z').lines.map((l) => JSON.parse(l).event)).toEqual(['e4', 'e5', 'e6']);
    expect(readLog(file, -1, 10, undefined, '"e2"').lines).toHaveLength(1);
    expect(readLog(file, -1, 10, undefined, '$(id)').lines).toEqual([]);
  });
});
