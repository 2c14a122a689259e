import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { BotctlError } from '../errors.js';
import { display } from './load.js';
import { runEnsures } from './ensure.js';
import { formatPath, locate, pathAt } from './locate.js';
import { resolveFleet } from './resolve.js';
import { fleetSchema, type FleetParsed } from './schema.js';
import type { Fleet, Problem } from './types.js';

/** Parses and validates fleet.yaml text; `file` names the source in messages and anchors relative paths. */
export function parseFleet(text: string, file: string): Fleet {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const lines: string[] = [];
  const where = (line: number, col: number) => `${display(file)}:${line}:${col}`;

  for (const e of [...doc.errors, ...doc.warnings]) {
    const { line, col } = lc.linePos(e.pos[0]);
    const msg = e.code === 'DUPLICATE_KEY' ? 'duplicate name: each key may appear once in a map' : firstLine(e.message);
    lines.push(`${where(line, col)} ${formatPath(pathAt(doc, e.pos[0]))}: ${msg}`);
  }
  const syntaxBroken = doc.errors.some((e) => e.code !== 'DUPLICATE_KEY');

  let parsed: FleetParsed | undefined;
  if (!syntaxBroken) {
    const result = fleetSchema.safeParse(doc.toJS() ?? {});
    if (result.success) parsed = result.data;
    else lines.push(...issuesToProblems(result.error.issues).map((p) => render(p)));
    if (parsed) lines.push(...runEnsures(parsed, path.dirname(file)).map((p) => render(p)));
  }
  if (lines.length > 0 || !parsed) {
    throw new BotctlError('E_CONFIG', `${display(file)} has ${lines.length} problem${lines.length === 1 ? '' : 's'}; nothing was run`, {
      details: lines,
      hint: 'fix the lines above; `botctl config` checks the file without touching any VM',
    });
  }
  return resolveFleet(parsed, file);

  function render(p: Problem): string {
    const { line, col } = locate(doc, lc, p.path, p.atKey);
    return `${where(line, col)} ${formatPath(p.path)}: ${p.message}`;
  }
}

function issuesToProblems(issues: z.core.$ZodIssue[]): Problem[] {
  const out: Problem[] = [];
  for (const iss of issues) {
    const at = iss.path.map((s) => (typeof s === 'symbol' ? String(s) : s));
    if (iss.code === 'unrecognized_keys') {
      for (const key of iss.keys) out.push({ path: [...at, key], atKey: true, message: `unknown key ${JSON.stringify(key)}` });
    } else if (iss.code === 'invalid_type' && iss.input === undefined) {
      out.push({ path: at, message: `missing (expected ${iss.expected})` });
    } else {
      out.push({ path: at, message: iss.message });
    }
  }
  return out;
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
