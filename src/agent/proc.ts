import { spawn } from 'node:child_process';
import { existsSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeAtomic } from './files.js';

/** What `start` records: enough to prove later that a pid is still this bot's process. */
export interface PidRecord { pid: number; startTicks: number; startedAt: string; argv: string[] }

/** Field 22 of /proc/<pid>/stat: start time in clock ticks since boot; null when the pid is gone. */
export function startTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  } catch {
    return null;
  }
}

/** When a process started, from its start ticks and the boot time; null when it is gone. */
export function processStartedAt(pid: number): string | null {
  const ticks = startTicks(pid);
  const btime = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1];
  // USER_HZ is 100 on every Linux ABI node runs on.
  return ticks === null || !btime ? null : new Date(Number(btime) * 1000 + ticks * 10).toISOString();
}

export function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * True only when the pid is alive, started when the record says (no pid reuse), and its command
 * line names this bot's runtime config: a process whose command line merely contains the bot's
 * name is never taken for it.
 */
export function isBotProcess(rec: PidRecord, configFile: string): boolean {
  return startTicks(rec.pid) === rec.startTicks && cmdline(rec.pid).includes(configFile);
}

/**
 * Live processes by the runtime config their argv names (`.../runtime.json`): one pass over
 * /proc for a whole status call, however many bots. More than one pid per config is a duplicate.
 */
export function processIndex(): Map<string, number[]> {
  const index = new Map<string, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    for (const arg of cmdline(Number(d))) {
      if (arg.endsWith('/runtime.json')) index.set(arg, [...(index.get(arg) ?? []), Number(d)]);
    }
  }
  return index;
}

export function readPid(file: string): PidRecord | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PidRecord;
  } catch {
    return null;
  }
}

/** Starts argv detached in its own session, output appended to `logFile`; records its pid. */
export function startDetached(argv: string[], env: Record<string, string>, logFile: string, pidFile: string): PidRecord {
  const out = openSync(logFile, 'a');
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['ignore', out, out], env });
  child.unref();
  const pid = child.pid!;
  const rec: PidRecord = { pid, startTicks: startTicks(pid) ?? -1, startedAt: new Date().toISOString(), argv };
  writeAtomic(pidFile, JSON.stringify(rec));
  return rec;
}

/** SIGTERM to a proven pid, bounded wait, then SIGKILL. Returns how it ended. */
export async function stopProven(rec: PidRecord, configFile: string, graceMs: number): Promise<'stopped' | 'killed' | 'gone'> {
  if (!isBotProcess(rec, configFile)) return 'gone';
  process.kill(rec.pid, 'SIGTERM');
  const until = Date.now() + graceMs;
  while (Date.now() < until) {
    if (!isBotProcess(rec, configFile)) return 'stopped';
    await new Promise((r) => setTimeout(r, 50));
  }
  if (isBotProcess(rec, configFile)) process.kill(rec.pid, 'SIGKILL');
  while (startTicks(rec.pid) === rec.startTicks) await new Promise((r) => setTimeout(r, 20));
  return 'killed';
}

/** KEY=VALUE lines (the bot's 0600 env file); blank lines and # comments ignored. */
export function readEnvFile(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

export function removePid(file: string): void {
  rmSync(file, { force: true });
}

export const pidFileOf = (botDir: string) => path.join(botDir, 'run', 'bot.pid');
