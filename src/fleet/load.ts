import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BotctlError } from '../errors.js';
import { display } from './display.js';
import type { Fleet } from './types.js';

export const DEFAULT_FLEET_FILE = 'fleet.yaml';

/** --file wins, then $BOTCTL_FLEET, then ./fleet.yaml. */
export function fleetPath(file?: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(file ?? env.BOTCTL_FLEET ?? DEFAULT_FLEET_FILE);
}

export { display };

// The parser's own build is part of the key: a changed botctl never trusts an old result.
const PARSER = ['parse.js', 'schema.js', 'resolve.js', 'ensure.js', 'misplaced.js'].map((f) => fileURLToPath(new URL(`./${f}`, import.meta.url)));

function cacheKey(file: string, bytes: Buffer): string {
  const h = createHash('sha256').update(file).update('\0').update(bytes);
  for (const p of PARSER) {
    try {
      const s = statSync(p);
      h.update(`${p}:${s.size}:${s.mtimeMs}`);
    } catch {
      h.update(p);
    }
  }
  return h.digest('hex').slice(0, 24);
}

/**
 * Reads, validates and resolves a fleet file; every problem is reported at once as E_CONFIG.
 * A file validated before, byte for byte, is read back from .botctl/cache without loading the
 * YAML parser or the schema: they are most of what `botctl status` would otherwise spend here.
 */
export async function loadFleet(file: string): Promise<Fleet> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new BotctlError('E_CONFIG', missing ? `no fleet file at ${display(file)}` : `cannot read ${display(file)}: ${(err as Error).message}`, {
      hint: missing ? 'run `botctl init` to write a starter fleet.yaml, or pass --file / set BOTCTL_FLEET' : undefined,
    });
  }
  const cache = path.join(path.dirname(file), '.botctl', 'cache', `fleet-${cacheKey(file, bytes)}.json`);
  try {
    const fleet = JSON.parse(readFileSync(cache, 'utf8')) as Fleet;
    // Entry files may have gone since: then validate in full, to report it properly.
    if (Object.values(fleet.bots).every((b) => !b.entry || existsSync(b.entry))) return fleet;
  } catch {
    // Not cached yet.
  }
  const { parseFleet } = await import('./parse.js');
  const fleet = parseFleet(bytes.toString('utf8'), file);
  try {
    mkdirSync(path.dirname(cache), { recursive: true });
    writeFileSync(cache, JSON.stringify(fleet));
  } catch {
    // A read-only checkout still works, just without the shortcut.
  }
  return fleet;
}
