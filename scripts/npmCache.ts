import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { loadFleet } from '../src/fleet/load.js';
import { dependencySetKey, releaseDependencies } from '../src/release/deps.js';

/** Every dependency set the tests and the repository's fleet build (test/fixtures/release-sets.json names the rest). */
async function releaseSets(repo: string): Promise<Record<string, string>[]> {
  const extra = (JSON.parse(readFileSync(path.join(repo, 'test/fixtures/release-sets.json'), 'utf8')) as { sets: Record<string, string>[] }).sets;
  const fleet = await loadFleet(path.join(repo, 'fleet.yaml'));
  const sets = new Map<string, Record<string, string>>();
  for (const deps of [...Object.values(fleet.bots).filter((b) => b.kind === 'runtime').map((b) => b.dependencies), ...extra]) {
    const full = releaseDependencies({ dependencies: deps });
    sets.set(dependencySetKey(full), full);
  }
  return [...sets.values()];
}

/**
 * Puts every package those sets install in the npm cache, at the versions their committed
 * lockfiles pin, so release builds can run --offline. A set already cached costs one offline
 * install and no network; a missing one is fetched once.
 */
export async function fillNpmCache(repo: string, log: (line: string) => void): Promise<void> {
  await Promise.all((await releaseSets(repo)).map(async (deps) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'botctl-cache-'));
    try {
      writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'cache-fill', version: '0.0.0', private: true, dependencies: deps }));
      const lock = path.join(repo, 'release-locks', `${dependencySetKey(deps)}.json`);
      if (existsSync(lock)) copyFileSync(lock, path.join(dir, 'package-lock.json'));
      const args = [existsSync(lock) ? 'ci' : 'install', '--ignore-scripts', '--no-audit', '--no-fund', '--omit=dev'];
      const names = Object.entries(deps).map(([p, v]) => `${p}@${v}`).join(' ');
      if ((await execa('npm', [...args, '--offline'], { cwd: dir, reject: false, stdin: 'ignore' })).exitCode === 0) return;
      const online = await execa('npm', [...args, '--prefer-offline'], { cwd: dir, reject: false, stdin: 'ignore' });
      if (online.exitCode !== 0) throw new Error(`cannot put ${names} in the npm cache (is the npm registry reachable?):\n${online.stderr}`);
      log(`npm cache now holds ${names}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }));
}
