import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';

/** Files that describe a build rather than what runs: never part of the release id. */
const NOT_HASHED = new Set(['manifest.json', 'node_modules/.package-lock.json']);

/**
 * The release id: a hash of every file's path and bytes (links by target), in sorted order. Two
 * builds of the same inputs get the same id, whenever and wherever they run.
 */
export function treeHash(root: string, include: (rel: string) => boolean = () => true): string {
  const h = createHash('sha256');
  const walk = (rel: string): void => {
    const entries = readdirSync(path.join(root, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (NOT_HASHED.has(r) || !include(r)) continue;
      if (e.isDirectory()) walk(r);
      else if (e.isSymbolicLink()) h.update(`L\0${r}\0${readlinkSync(path.join(root, r))}\0`);
      else h.update(`F\0${r}\0`).update(readFileSync(path.join(root, r))).update('\0');
    }
  };
  walk('');
  return h.digest('hex').slice(0, 12);
}
