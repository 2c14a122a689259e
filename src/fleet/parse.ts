import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { BotctlError } from '../errors.js';
import { display } from './display.js';
import { runEnsures } from './ensure.js';
import { explainIndent, INDENT_CODES, repairIndent } from './indent.js';
import { formatPath, locate, pathAt } from './locate.js';
import { misplacedKeys, withoutEchoes } from './misplaced.js';
import { resolveFleet } from './resolve.js';
import { fleetSchema } from './schema.js';
import type { Fleet, Problem } from './types.js';

/**
 * Parses and validates fleet.yaml text; `file` names the source in messages and anchors relative
 * paths. Every problem is reported in one run (YAML, schema and the named checks), in file order.
 */
export function parseFleet(text: string, file: string): Fleet {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const found: { line: number; col: number; text: string }[] = [];
  const add = (line: number, col: number, where: string, message: string) => found.push({ line, col, text: `${display(file)}:${line}:${col} ${where}: ${message}` });

  // One indentation mistake makes several YAML errors: explain the mistake once instead.
  const yamlErrors = [...doc.errors, ...doc.warnings].map((e) => ({ e, ...lc.linePos(e.pos[0]) }));
  const indent = explainIndent(text, yamlErrors.filter(({ e }) => INDENT_CODES.has(e.code)).map((x) => x.line));
  for (const p of indent.problems) add(p.line, p.col, p.path, p.message);
  for (const { e, line, col } of yamlErrors) {
    if (indent.problems.length && INDENT_CODES.has(e.code) && (indent.covered.has(line) || indent.covered.has(line + 1) || indent.covered.has(line - 1))) continue;
    add(line, col, formatPath(pathAt(doc, e.pos[0])), e.code === 'DUPLICATE_KEY' ? 'duplicate name: each key may appear once in a map' : firstLine(e.message));
  }
  // With every syntax error explained as an indentation mistake, the rest of the file is
  // still checked, as if each such line were where it belongs.
  const unexplained = doc.errors.some((e) => e.code !== 'DUPLICATE_KEY' && !(INDENT_CODES.has(e.code) && indent.problems.length));
  const checked = indent.problems.length && !unexplained ? reparse(repairIndent(text, indent.problems)) : { doc, lc };
  let parsed: z.output<typeof fleetSchema> | undefined;
  if (!unexplained && !checked.doc.errors.some((e) => e.code !== 'DUPLICATE_KEY')) {
    const raw: unknown = checked.doc.toJS() ?? {};
    const result = fleetSchema.safeParse(raw);
    if (result.success && !indent.problems.length) parsed = result.data;
    const misplaced = misplacedKeys(checked.doc);
    const schemaProblems = result.success ? [] : issuesToProblems(result.error.issues, checked.doc);
    // A named check says nothing new where the schema already spoke about the same value.
    const said = new Set(schemaProblems.map((p) => formatPath(p.path)));
    const checks = runEnsures(raw, path.dirname(file)).filter((p) => !said.has(formatPath(p.path)));
    const repaired = new Set(indent.problems.map((p) => p.line));
    for (const p of [...misplaced.map((m) => m.problem), ...withoutEchoes([...schemaProblems, ...checks], misplaced)]) {
      const { line, col } = locate(checked.doc, checked.lc, p.path, p.atKey);
      if (!repaired.has(line)) add(line, col, formatPath(p.path), p.message);
    }
  }
  if (found.length > 0 || !parsed) {
    found.sort((a, b) => a.line - b.line || a.col - b.col);
    throw new BotctlError('E_CONFIG', `${display(file)} has ${found.length} problem${found.length === 1 ? '' : 's'}; nothing was run`, {
      details: found.map((f) => f.text),
      hint: 'fix the lines above; `botctl config` checks the file without touching any VM',
    });
  }
  return resolveFleet(parsed, file);
}

function reparse(text: string): { doc: Document; lc: LineCounter } {
  const lc = new LineCounter();
  return { doc: parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true }), lc };
}

function issuesToProblems(issues: z.core.$ZodIssue[], doc: Document): Problem[] {
  const out: Problem[] = [];
  for (const iss of issues) {
    const at = iss.path.map((s) => (typeof s === 'symbol' ? String(s) : s));
    if (iss.code === 'unrecognized_keys') {
      for (const key of iss.keys) out.push({ path: [...at, key], atKey: true, message: `unknown key ${JSON.stringify(key)}` });
    } else if (iss.code === 'invalid_type' && at.length > 0 && !doc.hasIn(at)) {
      // zod does not keep the input in its issues: the document says whether the key is there.
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
