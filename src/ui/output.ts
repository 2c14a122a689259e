import chalk from 'chalk';
import Table from 'cli-table3';

// Colour only on a TTY and never with NO_COLOR (chalk already honours FORCE_COLOR and --no-color).
if (process.env.NO_COLOR || !process.stdout.isTTY) chalk.level = 0;

export { chalk };

// No rule between rows: a table of seven bots stays eleven lines, not eighteen.
const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

/** A plain table for people: no colours baked into borders, so pipes and NO_COLOR stay clean. */
export function table(head: string[], rows: (string | number)[][]): string {
  const t = new Table({ head: head.map((h) => chalk.bold(h)), chars: COMPACT, style: { head: [], border: [] } });
  for (const row of rows) t.push(row.map(String));
  const lines = t.toString().split('\n');
  // One rule under the header, drawn like the top border.
  const rule = lines[0]!.replace('┌', '├').replace('┐', '┤').replaceAll('┬', '┼');
  return [lines[0], lines[1], rule, ...lines.slice(2)].join('\n');
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function print(text = ''): void {
  process.stdout.write(`${text}\n`);
}
