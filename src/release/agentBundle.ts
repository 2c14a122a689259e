import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The agent as one file, bundled once per content and kept in the temp dir; returns its path. */
export async function agentBundle(): Promise<string> {
  const here = fileURLToPath(new URL('../agent/', import.meta.url));
  const entry = existsSync(path.join(here, 'main.js')) ? path.join(here, 'main.js') : path.join(here, 'main.ts');
  // esbuild loads only here: most calls find the agent current and never bundle.
  const { build } = await import('esbuild');
  const out = await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', write: false, logLevel: 'silent' });
  const code = out.outputFiles[0]!.contents;
  const dir = path.join(os.tmpdir(), 'botctl-agent');
  const file = path.join(dir, `agent-${createHash('sha256').update(code).digest('hex').slice(0, 12)}.mjs`);
  if (!existsSync(file) || !readFileSync(file).equals(Buffer.from(code))) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${file}.${process.pid}`, code);
    renameSync(`${file}.${process.pid}`, file);
  }
  return file;
}
