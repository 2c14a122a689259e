import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { loadFleet } from '../src/fleet/load.js';
import { dependencySetKey, releaseDependencies } from '../src/release/deps.js';

// Fills the npm cache with every dependency set that tests and the repository's fleet build, by
// installing each once with network, so that release builds in tests can run --offline.
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const extra = (JSON.parse(readFileSync(path.join(repo, 'test/fixtures/release-sets.json'), 'utf8')) as { sets: Record<string, string>[] }).sets;
const fleet = await loadFleet(path.join(repo, 'fleet.yaml'));
const sets = new Map<string, Record<string, string>>();
for (const deps of [...Object.values(fleet.bots).filter((b) => b.kind === 'runtime').map((b) => b.dependencies), ...extra]) {
  const full = releaseDependencies({ dependencies: deps });
  sets.set(dependencySetKey(full), full);
}
for (const deps of sets.values()) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'botctl-cache-'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'cache-fill', version: '0.0.0', private: true, dependencies: deps }));
  await execa('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--omit=dev'], { cwd: dir, stdio: 'inherit' });
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`npm cache holds ${Object.entries(deps).map(([p, v]) => `${p}@${v}`).join(' ')}\n`);
}
