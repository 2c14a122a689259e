import chalk from 'chalk';
import Table from 'cli-table3';

// Colour only on a TTY and never with NO_COLOR (chalk already honours FORCE_COLOR and --no-color).
if (process.env.NO_COLOR || !process.stdout.isTTY) chalk.level = 0;

export { chalk };

/** A plain table for people: no colours baked into borders, so pipes and NO_COLOR stay clean. */
export function table(head: string[], rows: (string | number)[][]): string {
  const t = new Table({ head: head.map((h) => chalk.bold(h)), style: { head: [], border: [] } });
  for (const row of rows) t.push(row.map(String));
  return t.toString();
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function print(text = ''): void {
  process.stdout.write(`${text}\n`);
}
