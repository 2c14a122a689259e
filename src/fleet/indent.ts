// One wrong indent makes YAML report several errors, on the lines after the mistake and with
// paths that no longer mean anything. This reads the lines around the first of them and says,
// once, which key is out of line and where it belongs.

/** YAML error codes that an indentation mistake produces. */
export const INDENT_CODES = new Set(['BLOCK_AS_IMPLICIT_KEY', 'MULTILINE_IMPLICIT_KEY', 'BAD_INDENT', 'MISSING_CHAR', 'UNEXPECTED_TOKEN']);

interface Line { no: number; indent: number; key: string | null; opener: boolean }

function readLines(text: string): Line[] {
  return text.split('\n').map((raw, i) => {
    const body = raw.replace(/\s+#.*$/, '');
    const m = /^(\s*)(- )?([^\s:#][^:#]*?):(\s|$)/.exec(body);
    return { no: i + 1, indent: raw.length - raw.trimStart().length, key: m ? m[3]!.trim() : null, opener: /:\s*$/.test(body) };
  });
}

const content = (l: Line | undefined) => l !== undefined && l.key !== null;

/** The keys of the maps a line sits in, by indentation: ["bots", "tars"]. */
function parents(lines: Line[], at: number): string[] {
  const out: string[] = [];
  let indent = lines[at]!.indent;
  for (let i = at - 1; i >= 0 && indent > 0; i--) {
    const l = lines[i]!;
    if (content(l) && l.indent < indent && l.opener) {
      out.unshift(l.key!);
      indent = l.indent;
    }
  }
  return out;
}

export interface IndentProblem {
  line: number;
  col: number;
  path: string;
  message: string;
  /** The column (0-based) the line belongs at. */
  indent: number;
}

/**
 * Explains the indentation mistakes behind YAML errors on these lines: one problem per mistake,
 * and the lines its echoes fall on (so those errors are not reported again).
 */
export function explainIndent(text: string, errorLines: number[]): { problems: IndentProblem[]; covered: Set<number> } {
  const lines = readLines(text);
  const problems: IndentProblem[] = [];
  const covered = new Set<number>();
  for (const no of [...new Set(errorLines)].sort((a, b) => a - b)) {
    if (covered.has(no)) continue;
    // The mistake is on the error's line, or just below it (YAML sees it as the value above
    // going on), or just above it.
    const candidates = [no - 1, no, no - 2].filter((n) => n >= 0 && n < lines.length);
    for (const i of candidates) {
      const l = lines[i]!;
      if (!content(l)) continue;
      let p = i - 1;
      while (p >= 0 && !content(lines[p])) p--;
      let n = i + 1;
      while (n < lines.length && !content(lines[n])) n++;
      const prev = lines[p];
      const next = lines[n];
      if (!prev || prev.opener || prev.indent === l.indent) continue;
      // Out of line with the sibling above it (which holds a value): deeper than it; or further
      // out while still holding a value with deeper lines after it, or while the line after it
      // returns to the sibling's column, or at a column no key above ever used.
      const deeper = l.indent > prev.indent;
      const stray = !l.opener && next !== undefined && next.indent > l.indent;
      const alone = next !== undefined && next.indent === prev.indent;
      const nowhere = !lines.slice(0, i).some((o) => content(o) && o.indent === l.indent);
      if (!deeper && !stray && !alone && !nowhere) continue;
      const belongs = prev.indent;
      const at = [...parents(lines, p), l.key!].join('.');
      // Say where YAML put it only when it lines up with the keys of that map.
      const landed = parents(lines, i);
      const lined = lines.some((o, k) => k !== i && content(o) && o.indent === l.indent && parents(lines, k).join('.') === landed.join('.'));
      problems.push({
        line: l.no, col: l.indent + 1, path: at, indent: belongs,
        message: `"${l.key}" is at column ${l.indent + 1}, out of line with "${prev.key}" above it (column ${belongs + 1})`
          + `${lined && landed.length ? `, so YAML reads it as a key of ${landed.join('.')}` : ''}: indent it to column ${belongs + 1}`,
      });
      covered.add(l.no);
      for (let k = i + 1; k < lines.length && (!content(lines[k]) || lines[k]!.indent > l.indent); k++) covered.add(k + 1);
      break;
    }
  }
  return { problems, covered };
}

/** The text with each explained line moved to where it belongs, so the rest can be checked. */
export function repairIndent(text: string, problems: IndentProblem[]): string {
  const lines = text.split('\n');
  for (const p of problems) lines[p.line - 1] = ' '.repeat(p.indent) + lines[p.line - 1]!.trimStart();
  return lines.join('\n');
}
