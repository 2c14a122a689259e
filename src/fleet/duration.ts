const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
export const DURATION_PATTERN = '^(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)$';
const DURATION_RE = new RegExp(DURATION_PATTERN);

/** "250ms" | "10s" | "2m" | "12h" | "1d" -> milliseconds; undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION_RE.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * UNITS[m[2]!]!;
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

export function durationError(text: string): string {
  return `${JSON.stringify(text)} is not a duration: write a number and a unit (ms, s, m, h, d), e.g. 250ms, 10s, 2m, 12h`;
}

/** The shortest exact rendering: 120000 -> "2m", 1500 -> "1500ms". */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNITS[unit]!;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** "1h" -> the ISO time one hour ago; undefined when the text is not a duration. */
export function sinceIso(text: string, now = Date.now()): string | undefined {
  const ms = parseDuration(text);
  return ms === undefined ? undefined : new Date(now - ms).toISOString();
}
