import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

export interface LogChunk { lines: string[]; offset: number; size: number; rotated: boolean }

const TAIL_WINDOW = 4 * 1024 * 1024;

/**
 * Lines of a log file, read where it lies: the last `limit` (offset < 0), or everything after
 * `offset` (follow). A file shorter than the offset was rotated: reading restarts at its top.
 * `since` (ISO) and `grep` (a literal substring) filter on the VM, so only matches travel.
 */
export function readLog(file: string, offset: number, limit: number, since?: string, grep?: string): LogChunk {
  if (!existsSync(file)) return { lines: [], offset: 0, size: 0, rotated: false };
  const size = statSync(file).size;
  const rotated = offset > size;
  const from = offset < 0 ? Math.max(0, size - TAIL_WINDOW) : rotated ? 0 : offset;
  const buf = Buffer.alloc(size - from);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buf, 0, buf.length, from);
  } finally {
    closeSync(fd);
  }
  const text = buf.toString('utf8');
  // Keep a partial last line for the next read: the offset stops at the last newline.
  const end = text.lastIndexOf('\n') + 1;
  let lines = text.slice(0, end).split('\n').filter(Boolean);
  if (offset < 0 && from > 0) lines = lines.slice(1);
  if (since) lines = lines.filter((l) => (timeOf(l) ?? since) >= since);
  if (grep) lines = lines.filter((l) => l.includes(grep));
  return { lines: offset < 0 ? lines.slice(-limit) : lines.slice(0, limit), offset: from + Buffer.byteLength(text.slice(0, end)), size, rotated };
}

function timeOf(line: string): string | undefined {
  const m = /"time":"([^"]+)"/.exec(line);
  return m?.[1];
}
