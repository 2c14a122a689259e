import path from 'node:path';
import { writeAtomic } from './files.js';

/** The process's state as botctl sees it. */
export type RuntimeState = 'starting' | 'ready' | 'reconnecting' | 'stopping' | 'stopped';

/** Writes status.json atomically every `everyMs` (and on demand) from a snapshot function. */
export class Heartbeat {
  private timer?: NodeJS.Timeout;
  private readonly file: string;

  constructor(runDir: string, private readonly snapshot: () => Record<string, unknown>, private readonly everyMs: number) {
    this.file = path.join(runDir, 'status.json');
  }

  start(): void {
    this.write();
    this.timer = setInterval(() => this.write(), this.everyMs);
    this.timer.unref();
  }

  write(): void {
    writeAtomic(this.file, `${JSON.stringify({ ...this.snapshot(), updatedAt: new Date().toISOString() })}\n`);
  }

  stop(): void {
    clearInterval(this.timer);
    this.write();
  }
}
