import { chalk } from './output.js';

const LEVEL: Record<string, (s: string) => string> = { warn: chalk.yellow, error: chalk.red, fatal: chalk.red };
const SKIP = new Set(['time', 'level', 'event', 'bot', 'pid', 'msg']);

/** A JSON log line for people: time, level, event, then key=value; anything else as it came. */
export function renderLogLine(line: string, raw: boolean): string {
  if (raw) return line;
  let e: Record<string, unknown>;
  try {
    e = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return chalk.dim(line);
  }
  const time = String(e.time ?? '').replace('T', ' ').replace('Z', '');
  const level = String(e.level ?? 'info');
  const fields = Object.entries(e)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${chalk.dim(time)} ${(LEVEL[level] ?? ((s: string) => s))(level.padEnd(5))} ${chalk.bold(String(e.event ?? '-'))} ${fields}`;
}
