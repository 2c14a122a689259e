import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeAtomic } from './files.js';

/**
 * Below the confirmed position every message counts as handled (a catch-up never lists there,
 * the socket's redeliveries are refused by creation time), so handled ids are kept only a
 * little below it: the set holds about one sweep interval of traffic.
 */
const KEEP_BELOW_MS = 5_000;
/** Never more than this many by default, whatever the traffic (a bound on state.json). */
const HANDLED_MAX = 20_000;

/**
 * What survives a restart so a bot neither misses nor repeats. `confirmed` is a creation time
 * up to which a listing over REST has seen every message handled or in hand: catch-ups list
 * from there. Messages handled from the socket are remembered by id for de-duplication; they
 * never move `confirmed`, so a message the socket skipped before them is still found (issue 11,
 * incident 002).
 */
export class MessageState {
  /** Every message created at or before this is handled, or in hand now. */
  confirmed: string;
  /** Handled ids -> creation time, kept from a little below `confirmed` upwards, in handling order. */
  private readonly handled = new Map<string, string>();
  /** Claimed but not done, by id -> creation time: these hold `confirmed` back. */
  private readonly inFlight = new Map<string, string>();
  private readonly file: string;
  private dirty = false;

  /** `max`: how many handled ids to keep at most (Telegram, whose offset does the rest, keeps fewer). */
  constructor(runDir: string, now: Date, private readonly max = HANDLED_MAX) {
    this.file = path.join(runDir, 'state.json');
    let saved: { confirmed?: string; handled?: [string, string][]; cursor?: string; recent?: string[] } = {};
    try {
      saved = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch {
      // First start: nothing before now is ours to answer.
    }
    // Earlier versions kept a cursor and bare ids: read them as confirmed and handled there.
    this.confirmed = saved.confirmed ?? saved.cursor ?? now.toISOString();
    for (const [id, created] of saved.handled ?? (saved.recent ?? []).map((id): [string, string] => [id, this.confirmed])) this.handled.set(id, created);
    // A first start records its position at once: if this run handles nothing, the next one
    // must still catch up from here rather than from its own start.
    this.dirty = saved.confirmed === undefined;
  }

  /** Claims a message for handling; false when it was handled or is in hand. */
  claim(id: string, created: string): boolean {
    if (this.isKnown(id)) return false;
    this.inFlight.set(id, created);
    return true;
  }

  /** The message is done (handled, or given up): remember it. */
  done(id: string): void {
    const created = this.inFlight.get(id);
    this.inFlight.delete(id);
    this.handled.set(id, created ?? this.confirmed);
    if (this.handled.size > this.max) this.prune();
    this.dirty = true;
  }

  /** Created at or before the confirmed position: handled already, whatever the socket says. */
  isConfirmed(created: string): boolean {
    return created <= this.confirmed;
  }

  isHandled(id: string): boolean {
    return this.handled.has(id);
  }

  /** Handled, or being handled now. */
  isKnown(id: string): boolean {
    return this.handled.has(id) || this.inFlight.has(id);
  }

  /** Catch-ups list what was created after this. */
  since(): string {
    return this.confirmed;
  }

  /**
   * A complete listing saw every message created up to `upTo` handled or in hand: the
   * confirmed position moves there, but never past a message still in hand (a crash must find
   * it again). Returns whether it moved.
   */
  confirm(upTo: string): boolean {
    let target = upTo;
    for (const c of this.inFlight.values()) if (c <= target) target = before(c);
    if (target <= this.confirmed) return false;
    this.confirmed = target;
    this.prune();
    this.dirty = true;
    return true;
  }

  /** How many handled ids are kept (state.json's size). */
  get kept(): number {
    return this.handled.size;
  }

  save(): void {
    if (!this.dirty) return;
    writeAtomic(this.file, JSON.stringify({ confirmed: this.confirmed, handled: [...this.handled] }));
    this.dirty = false;
  }

  private prune(): void {
    const floor = new Date(Date.parse(this.confirmed) - KEEP_BELOW_MS).toISOString();
    for (const [id, created] of this.handled) if (created < floor) this.handled.delete(id);
    // Oldest first (insertion order): a flood past the bound forgets what is furthest back.
    for (const id of this.handled.keys()) {
      if (this.handled.size <= this.max) break;
      this.handled.delete(id);
    }
  }
}

function before(iso: string): string {
  return new Date(Date.parse(iso) - 1).toISOString();
}
