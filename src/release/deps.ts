import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Bot } from '../fleet/types.js';

// Packages the runtime itself needs beyond what fleet.yaml pins (ws, undici): shipped at the
// versions this botctl was built and tested with.
const RUNTIME_BASE = ['pino', 'rotating-file-stream', 'zod'];

/** botctl's own installed versions of the runtime's base packages. */
export function runtimeBaseDependencies(): Record<string, string> {
  return Object.fromEntries(RUNTIME_BASE.map((p) => [p, installedVersion(p)]));
}

// Not every package exports its package.json: resolve its entry and walk up to its manifest.
function installedVersion(pkg: string): string {
  let dir = path.dirname(createRequire(import.meta.url).resolve(pkg));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const meta = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version: string };
      if (meta.name === pkg) return meta.version;
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the installed version of ${pkg}`);
    dir = up;
  }
}

/** Everything a bot's release installs, sorted so equal sets compare equal. */
export function releaseDependencies(bot: Pick<Bot, 'dependencies'>): Record<string, string> {
  const all = { ...runtimeBaseDependencies(), ...bot.dependencies };
  return Object.fromEntries(Object.entries(all).sort(([a], [b]) => a.localeCompare(b)));
}

/** A short stable name for a dependency set (lockfile name, build grouping). */
export function dependencySetKey(deps: Record<string, string>): string {
  return createHash('sha256').update(JSON.stringify(deps)).digest('hex').slice(0, 16);
}
