import { randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeAtomic } from './files.js';

/** The fleet operation lease on one VM: who holds it, doing what, since when, until when. */
export interface Lease { owner: string; host: string; pid: number; command: string; since: string; expires: string; token: string }

export type LeaseAnswer = { held: true; lease: Lease } | { held: false; by: Omit<Lease, 'token'> | null };

const file = (root: string) => path.join(root, 'botctl', 'lock');

function read(root: string): Lease | null {
  try {
    return JSON.parse(readFileSync(file(root), 'utf8')) as Lease;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A lease is stale past its TTL, or at once when its owner ran on this very machine and its
 * pid is gone (a pid means nothing on another host, so it is checked only here).
 */
export function isStale(l: Lease, now = Date.now()): boolean {
  return Date.parse(l.expires) < now || (l.host === os.hostname() && !alive(l.pid));
}

const publicView = ({ token: _t, ...rest }: Lease) => rest;

/** Takes the lease if it is free or stale; otherwise says who holds it. */
export function acquire(root: string, who: { owner: string; host: string; pid: number; command: string }, ttlMs: number): LeaseAnswer {
  mkdirSync(path.dirname(file(root)), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    const lease: Lease = { ...who, since: new Date().toISOString(), expires: new Date(Date.now() + ttlMs).toISOString(), token: randomBytes(12).toString('hex') };
    try {
      // O_EXCL: creating the file is the acquisition; two operators cannot both succeed.
      const fd = openSync(file(root), 'wx', 0o644);
      writeSync(fd, JSON.stringify(lease));
      closeSync(fd);
      return { held: true, lease };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const current = read(root);
    if (current && !isStale(current)) return { held: false, by: publicView(current) };
    // Stale: move it aside. Only one contender's rename can succeed; the others retry and see
    // the winner's fresh lease.
    try {
      renameSync(file(root), `${file(root)}.stale-${randomBytes(4).toString('hex')}`);
    } catch {
      // Someone else moved it first.
    }
  }
  const current = read(root);
  return { held: false, by: current ? publicView(current) : null };
}

/** Extends a lease we hold; false when it is no longer ours (expired and taken over). */
export function renew(root: string, token: string, ttlMs: number): boolean {
  const current = read(root);
  if (!current || current.token !== token) return false;
  writeAtomic(file(root), JSON.stringify({ ...current, expires: new Date(Date.now() + ttlMs).toISOString() }));
  return true;
}

/** Releases our lease (or, with force, anyone's); returns what was released. */
export function release(root: string, token: string | undefined, force: boolean): Omit<Lease, 'token'> | null {
  const current = read(root);
  if (!current || (!force && current.token !== token)) return null;
  rmSync(file(root), { force: true });
  return publicView(current);
}

export function status(root: string): { lease: Omit<Lease, 'token'> | null; stale: boolean } {
  const current = read(root);
  return { lease: current ? publicView(current) : null, stale: current ? isStale(current) : false };
}

const ledgerFile = (root: string) => path.join(root, 'botctl', 'ledger.jsonl');

/** Appends one entry as one write (O_APPEND): concurrent appends never interleave within a line. */
export function appendLedger(root: string, entry: Record<string, unknown>): void {
  mkdirSync(path.dirname(ledgerFile(root)), { recursive: true });
  appendFileSync(ledgerFile(root), `${JSON.stringify(entry)}\n`);
}

export function readLedger(root: string, bot: string | undefined, limit: number): Record<string, unknown>[] {
  let lines: string[];
  try {
    lines = readFileSync(ledgerFile(root), 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
  const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => !bot || e.bot === bot);
  return entries.slice(-limit);
}
