/** Formats the "Examples:" block every command's --help ends with. */
export function examples(lines: [string, string][]): string {
  const width = Math.max(...lines.map(([cmd]) => cmd.length));
  return `\nExamples:\n${lines.map(([cmd, what]) => `  ${cmd.padEnd(width)}   ${what}`).join('\n')}\n`;
}

export type { GlobalOptions } from '../src/context.js';
