import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

export const REPO = path.resolve(__dirname, '../..');
const BIN = path.join(REPO, 'bin/botctl');

/** Runs the built CLI as a user would, in `cwd`, never throwing on a non-zero exit. */
export function botctl(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  return execa('node', [BIN, ...args], { cwd: opts.cwd ?? REPO, env: { NO_COLOR: '1', ...opts.env }, reject: false, stdin: 'ignore' });
}

/** A directory with a fleet.yaml of the given text and the example bots beside it. */
export function fleetDir(text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'botctl-cli-'));
  mkdirSync(path.join(dir, 'bots'));
  for (const f of ['echo.ts', 'status.ts']) copyFileSync(path.join(REPO, 'bots', f), path.join(dir, 'bots', f));
  writeFileSync(path.join(dir, 'fleet.yaml'), text);
  return dir;
}
