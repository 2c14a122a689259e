import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

export const REPO = path.resolve(__dirname, '../..');
const BIN = path.join(REPO, 'bin/botctl');

const running = new Set<ReturnType<typeof execa>>();

/** Runs the built CLI as a user would, in `cwd`, never throwing on a non-zero exit. */
export function botctl(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const child = execa(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? REPO, env: { NO_COLOR: '1', ...opts.env }, reject: false, stdin: 'ignore' });
  running.add(child);
  void child.finally(() => running.delete(child));
  return child;
}

/**
 * Ends every botctl this file started that still runs (a test that timed out leaves one behind):
 * Ctrl-C first, so it releases its locks, then SIGKILL. Call it before a teardown's own commands.
 */
export async function settle(): Promise<void> {
  await Promise.all([...running].map(async (child) => {
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await child;
    clearTimeout(timer);
  }));
}

/** A directory with a fleet.yaml of the given text and the example bots beside it. */
export function fleetDir(text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'botctl-cli-'));
  mkdirSync(path.join(dir, 'bots'));
  for (const f of ['echo.ts', 'status.ts']) copyFileSync(path.join(REPO, 'bots', f), path.join(dir, 'bots', f));
  writeFileSync(path.join(dir, 'fleet.yaml'), text);
  return dir;
}
