import { cpSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { median, ms, timeInterleaved, type Row } from './lib.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(REPO, 'bin/botctl');
const N = 10;

/**
 * The newcomer's path on the repository's fleet: `up` from an empty cache, then, with every
 * release built and every bot running, `up`, `deploy --all` and `build` beside `status` in the
 * same run (interleaved, so load on the machine hits all alike).
 */
export async function localBench(rows: Row[]): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'botctl-bench-local-'));
  for (const f of ['fleet.yaml', 'bots', 'release-locks']) cpSync(path.join(REPO, f), path.join(dir, f), { recursive: true });
  const env = { BOTCTL_NPM_OFFLINE: '1', NO_COLOR: '1' };
  const botctl = (args: string[]) => execa('node', [BIN, ...args], { cwd: dir, env });
  try {
    const t = performance.now();
    await botctl(['up']);
    const cold = performance.now() - t;
    const [status, up, deploy, build] = await timeInterleaved(N, [
      () => botctl(['status']), () => botctl(['up']), () => botctl(['deploy', '--all']), () => botctl(['build']),
    ]) as [number[], number[], number[], number[]];
    const vs = (x: number[]) => `${(median(x) / median(status)).toFixed(2)}x`;
    rows.push(
      { what: '`botctl up` from an empty cache, local fleet (7 bots, 2 releases)', botctl: ms(cold), baseline: '-', baselineWhat: '', compare: '', target: 'reported', met: true },
      { what: '`botctl up`, everything built and running (median)', botctl: ms(median(up)), baseline: ms(median(status)), baselineWhat: '`botctl status`, same fleet', compare: vs(up), target: '<= 3x status', met: median(up) <= 3 * median(status) },
      { what: '`botctl deploy --all`, nothing changed (median)', botctl: ms(median(deploy)), baseline: ms(median(status)), baselineWhat: '`botctl status`, same fleet', compare: vs(deploy), target: '<= 1.5x status', met: median(deploy) <= 1.5 * median(status) },
      { what: '`botctl build`, every release cached (median)', botctl: ms(median(build)), baseline: ms(median(status)), baselineWhat: '`botctl status`, same fleet', compare: vs(build), target: '<= 1 s', met: median(build) <= 1_000 },
    );
  } finally {
    await botctl(['down']).catch(() => undefined);
  }
}
