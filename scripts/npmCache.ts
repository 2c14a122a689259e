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
 * Puts in the npm cache everything a release build of those sets reads, so builds can run
 * --offline: the packages at the versions the committed lockfiles pin, the registry documents a
 * build without a lockfile resolves from, and the version lists a build checks first. What is
 * cached already costs an offline install and no network; what is missing is fetched once.
 */
export async function fillNpmCache(repo: string, log: (line: string) => void): Promise<void> {
  await Promise.all((await releaseSets(repo)).map(async (deps) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'botctl-cache-'));
    try {
      writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'cache-fill', version: '0.0.0', private: true, dependencies: deps }));
      const lock = path.join(repo, 'release-locks', `${dependencySetKey(deps)}.json`);
      const names = Object.entries(deps).map(([p, v]) => `${p}@${v}`).join(' ');
      const npm = (a: string[]) => execa('npm', a, { cwd: dir, reject: false, stdin: 'ignore' });
      const fetched: string[] = [];
      // Builds install from the committed lockfile where there is one, and resolve afresh where
      // there is not (a new dependency set, as several tests make): both must work offline.
      const installs = [...(existsSync(lock) ? [['ci', lock]] : []), ['install', null]] as const;
      for (const [verb, from] of installs) {
        rmSync(path.join(dir, 'package-lock.json'), { force: true });
        rmSync(path.join(dir, 'node_modules'), { recursive: true, force: true });
        if (from) copyFileSync(from, path.join(dir, 'package-lock.json'));
        const args = [verb, '--ignore-scripts', '--no-audit', '--no-fund', '--omit=dev'];
        if ((await npm([...args, '--offline'])).exitCode === 0) continue;
        const online = await npm([...args, '--prefer-offline']);
        if (online.exitCode !== 0) throw new Error(`cannot put ${names} in the npm cache (is the npm registry reachable?):\n${online.stderr}`);
        fetched.push(verb === 'ci' ? 'the lockfile\'s packages' : 'what a fresh install resolves');
      }
      // A build first checks that each version exists (npm view): that needs each package's
      // registry document in the cache too, which an install from a lockfile never fetches.
      for (const pkg of Object.keys(deps)) {
        if ((await npm(['view', pkg, 'versions', '--json', '--offline'])).exitCode === 0) continue;
        const online = await npm(['view', pkg, 'versions', '--json', '--prefer-offline']);
        if (online.exitCode !== 0) throw new Error(`cannot put the versions of ${pkg} in the npm cache (is the npm registry reachable?):\n${online.stderr}`);
        fetched.push(pkg);
      }
      if (fetched.length) log(`npm cache now holds ${names} (fetched: ${fetched.join(', ')})`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }));
}
