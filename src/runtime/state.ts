import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeAtomic } from './files.js';

const RECENT_MAX = 2_000;

/**
 * What survives a restart so a bot neither misses nor repeats: the cursor (creation time of the
 * newest message below which everything is handled) and the ids handled recently.
 */
export class MessageState {
  private readonly recent: string[] = [];
  private readonly seen = new Set<string>();
  private readonly inFlight = new Set<string>();
  /** Taken but not done, by id -> creation time: these hold the cursor back. */
  private readonly pending = new Map<string, string>();
  cursor: string;
  /** Creation time of the newest message done; the cursor reaches it once nothing older is pending. */
  private highWater: string;
  private readonly file: string;
  private dirty = false;

  constructor(runDir: string, now: Date) {
    this.file = path.join(runDir, 'state.json');
    let saved: { cursor?: string; recent?: string[] } = {};
    try {
      saved = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch {
      // First start: nothing before now is ours to answer.
    }
    this.cursor = saved.cursor ?? now.toISOString();
    this.highWater = this.cursor;
    // A first start records its cursor at once: if this run handles nothing, the next one must
    // still catch up from here rather than from its own start.
    this.dirty = saved.cursor === undefined;
    for (const id of saved.recent ?? []) this.remember(id);
  }

  /** Claims a message for handling; false when it was handled or is being handled now. */
  claim(id: string, created: string): boolean {
    if (this.seen.has(id) || this.inFlight.has(id)) return false;
    this.inFlight.add(id);
    this.pending.set(id, created);
    return true;
  }

  /** The message is done (handled, or given up): remember it and move the cursor as far as is safe. */
  done(id: string): void {
    const created = this.pending.get(id);
    this.inFlight.delete(id);
    this.pending.delete(id);
    this.remember(id);
    if (created && created > this.highWater) this.highWater = created;
    const oldest = this.oldestPending();
    const target = oldest && oldest <= this.highWater ? before(oldest) : this.highWater;
    if (target > this.cursor) this.cursor = target;
    this.dirty = true;
  }

  isHandled(id: string): boolean {
    return this.seen.has(id);
  }


  /** Catch-up looks for messages created after this: the cursor, or just before the oldest pending. */
  since(): string {
    const oldest = this.oldestPending();
    return oldest && oldest <= this.cursor ? before(oldest) : this.cursor;
  }

  private oldestPending(): string | undefined {
    let oldest: string | undefined;
    for (const c of this.pending.values()) if (!oldest || c < oldest) oldest = c;
    return oldest;
  }

  save(): void {
    if (!this.dirty) return;
    writeAtomic(this.file, JSON.stringify({ cursor: this.cursor, recent: this.recent }));
    this.dirty = false;
  }

  private remember(id: string): void {
    if (this.seen.has(id)) return;
    this.seen.add(id);
    this.recent.push(id);
    if (this.recent.length > RECENT_MAX) this.seen.delete(this.recent.shift()!);
  }
}

function before(iso: string): string {
  return new Date(Date.parse(iso) - 1).toISOString();
}
