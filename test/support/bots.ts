import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUNTIME_NODE_FLAGS } from '../../src/runtime/events.js';
import type { WebexSim } from '../../src/sim/webex/sim.js';

// The repository root, whether this file runs from test/ (vitest) or dist/test/ (benchmarks).
function repoRoot(from: string): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}
export const REPO = repoRoot(path.dirname(fileURLToPath(import.meta.url)));
const MAIN = path.join(REPO, 'dist/src/runtime/main.js');

/** Polls `check` until it returns a truthy value; fails with `what` after the deadline. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, deadlineMs = 10_000, everyMs = 20): Promise<NonNullable<T>> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface LogLine { event: string; level: string; time: string; [k: string]: unknown }

/** A real bot process (dist/src/runtime/main.js) on the simulator, with its own run dir and log. */
export class BotProcess {
  child?: ChildProcess;
  exitCode?: number | null;
  private exited?: Promise<number | null>;
  readonly configFile: string;
  readonly logFile: string;
  readonly runDir: string;
  /** Node flags for the process; the runtime's own by default. */
  nodeFlags: readonly string[] = RUNTIME_NODE_FLAGS;
  /** The runtime's main.js: this checkout's build by default, or a release's. */
  main = MAIN;

  constructor(readonly name: string, readonly token: string, readonly sim: Pick<WebexSim, 'urls'>, overrides: Record<string, unknown> = {}, dir?: string) {
    const home = dir ?? mkdtempSync(path.join(os.tmpdir(), `botctl-bot-${name}-`));
    this.runDir = path.join(home, 'run');
    this.logFile = path.join(home, `${name}.log`);
    this.configFile = path.join(home, 'runtime.json');
    const cfg = {
      bot: name,
      platform: 'webex',
      entry: path.join(REPO, 'dist/bots/echo.js'),
      release: 'test',
      runDir: this.runDir,
      logFile: this.logFile,
      heartbeatMs: 100,
      http: { timeoutMs: 1_000, retries: 3, backoffBaseMs: 50, backoffMaxMs: 500 },
      websocket: { pingIntervalMs: 300, pingTimeoutMs: 200, connectTimeoutMs: 1_000, backoffBaseMs: 50, backoffMaxMs: 500, closeTimeoutMs: 300 },
      // Sweeps are off unless a test sets them (they would add REST calls every test counts).
      catchUp: { quietMs: 600, sweepMs: 600_000, graceMs: 300 },
      handler: { timeoutMs: 2_000 },
      lock: { waitMs: 2_000 },
      shutdownGraceMs: 2_000,
      webex: sim.urls,
      ...overrides,
    };
    writeFileSync(this.configFile, JSON.stringify(cfg, null, 2));
  }

  start(): this {
    this.exitCode = undefined;
    const child = spawn(process.execPath, [...this.nodeFlags, this.main, this.configFile], { env: { ...process.env, BOTCTL_TOKEN: this.token }, stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => {
      this.exitCode = code;
      if (stderr) process.stderr.write(`[${this.name} stderr] ${stderr}`);
      resolve(code);
    }));
    return this;
  }

  logs(): LogLine[] {
    if (!existsSync(this.logFile)) return [];
    return readFileSync(this.logFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine);
  }

  events(name: string): LogLine[] {
    return this.logs().filter((l) => l.event === name);
  }

  status(): Record<string, unknown> | undefined {
    try {
      return JSON.parse(readFileSync(path.join(this.runDir, 'status.json'), 'utf8'));
    } catch {
      return undefined;
    }
  }

  /** Waits for this process (not an earlier one writing the same log) to say it is ready. */
  ready(deadlineMs = 10_000): Promise<unknown> {
    const pid = this.child?.pid;
    return waitFor(`${this.name} ready`, () => this.events('runtime.ready').some((e) => e.pid === pid), deadlineMs);
  }

  /** SIGTERM and wait for the exit status. */
  async stop(): Promise<number | null> {
    if (this.exitCode !== undefined) return this.exitCode;
    this.child?.kill('SIGTERM');
    return this.exited!;
  }

  async kill9(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  wait(): Promise<number | null> {
    return this.exited!;
  }
}

/** A Telegram bot process on a TelegramSim (1 s long polls, fast conflict backoff). */
export function telegramBot(name: string, token: string, apiBase: string, overrides: Record<string, unknown> = {}, dir?: string): BotProcess {
  const none = { urls: { apiBase: '', wdmBase: '' } };
  return new BotProcess(name, token, none, {
    platform: 'telegram',
    telegram: { apiBase, pollTimeoutS: 1, conflictBackoffBaseMs: 100, conflictBackoffMaxMs: 800 },
    ...overrides,
  }, dir);
}
