import Table from 'cli-table3';

export function median(xs: number[]): number {
  return percentile(xs, 50);
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** Runs `fn` n times in sequence and returns each run's wall time in ms. */
export async function timeEach(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

/** Runs each of `fns` n times, interleaved (a, b, a, b, ...) so drift on the machine hits all alike. */
export async function timeInterleaved(n: number, fns: (() => Promise<unknown>)[]): Promise<number[][]> {
  const out = fns.map(() => [] as number[]);
  for (let i = 0; i < n; i++) {
    for (const [k, fn] of fns.entries()) {
      const t = performance.now();
      await fn();
      out[k]!.push(performance.now() - t);
    }
  }
  return out;
}

export interface Row {
  what: string;
  botctl: string;
  baseline: string;
  baselineWhat: string;
  compare: string;
  target: string;
  met: boolean;
}

export function printRows(rows: Row[]): void {
  const t = new Table({ head: ['measure', 'botctl', 'baseline', 'baseline is', 'comparison', 'target', 'met'], style: { head: [], border: [] } });
  for (const r of rows) t.push([r.what, r.botctl, r.baseline, r.baselineWhat, r.compare, r.target, r.met ? 'yes' : 'NO']);
  process.stdout.write(`${t.toString()}\n`);
}

export const ms = (x: number) => `${x.toFixed(1)} ms`;
