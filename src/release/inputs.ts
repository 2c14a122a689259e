import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dependencySetKey } from './deps.js';
import { treeHash } from './hash.js';
import type { Manifest } from './manifest.js';

// A release id is the hash of what runs, and finding it that way costs an npm install and a
// bundle. This cache maps a hash of what a build reads (versions, lockfile, compiled runtime,
// bot sources, the bundler) to the id it produced, so an unchanged release is found in
// milliseconds. The id itself stays the hash of the output: the agent checks uploads against it.

/** Bumped when what a build produces from the same inputs changes shape. */
const FORMAT = 1;

export interface InputsOptions {
  cacheDir: string;
  locksDir: string;
  fleetDir: string;
  /** The compiled runtime a release ships. */
  runtimeDir: string;
}

interface Record_ {
  id: string;
  /** Every source file the bundles read (absolute path -> sha256), from esbuild's metafile. */
  sources: Record<string, string>;
}

const sha = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

function fileSha(file: string): string | null {
  try {
    return sha(readFileSync(file));
  } catch {
    return null;
  }
}

// What the bundler is, and this build code itself: a changed botctl never trusts an old record.
const BUILDER = [fileURLToPath(new URL('./build.js', import.meta.url)), fileURLToPath(new URL('./inputs.js', import.meta.url))];
function builderKey(): string {
  let esbuild = 'esbuild?';
  try {
    esbuild = fileSha(createRequire(import.meta.url).resolve('esbuild/package.json')) ?? esbuild;
  } catch {
    // Not resolvable: then the key just cannot tell esbuild versions apart.
  }
  return [...BUILDER.map((f) => fileSha(f) ?? f), esbuild].join(',');
}

/**
 * The key of one build's inputs, or null when one of them cannot be known yet (no lockfile for
 * this dependency set: the first build writes it).
 */
export function inputsKey(deps: Record<string, string>, entries: string[], opts: InputsOptions): string | null {
  const lock = fileSha(path.join(opts.locksDir, `${dependencySetKey(deps)}.json`));
  if (!lock) return null;
  const rel = [...new Set(entries)].sort().map((e) => path.relative(opts.fleetDir, e).split(path.sep).join('/'));
  return sha(JSON.stringify({ FORMAT, deps, lock, runtime: treeHash(opts.runtimeDir, (f) => !f.endsWith('.map')), entries: rel, builder: builderKey() })).slice(0, 24);
}

// One record per key and version of the sources, so that editing a bot and undoing the edit
// finds the first release again; the oldest go beyond this many per key.
const KEEP_PER_KEY = 8;
const buildsDir = (opts: InputsOptions) => path.join(opts.cacheDir, 'builds');

function records(key: string, opts: InputsOptions): { file: string; at: number }[] {
  try {
    return readdirSync(buildsDir(opts)).filter((f) => f.startsWith(`${key}-`) && f.endsWith('.json'))
      .map((f) => ({ file: path.join(buildsDir(opts), f), at: statSync(path.join(buildsDir(opts), f)).mtimeMs }))
      .sort((a, b) => b.at - a.at);
  } catch {
    return [];
  }
}

/** The release these inputs built before, if it is still in the cache and no source changed since. */
export function cachedRelease(key: string, opts: InputsOptions): { id: string; dir: string; manifest: Manifest } | null {
  for (const { file } of records(key, opts)) {
    try {
      const rec = JSON.parse(readFileSync(file, 'utf8')) as Record_;
      if (!Object.entries(rec.sources).every(([src, want]) => fileSha(src) === want)) continue;
      const dir = path.join(opts.cacheDir, 'releases', rec.id);
      return { id: rec.id, dir, manifest: JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest };
    } catch {
      // A record cut short, or its release removed from the cache: build instead.
    }
  }
  return null;
}

/** Remembers which release these inputs built; `sources` are the files the bundles read. */
export function rememberRelease(key: string, id: string, sources: string[], opts: InputsOptions): void {
  const rec: Record_ = { id, sources: Object.fromEntries([...sources].sort().map((f) => [f, fileSha(f) ?? ''])) };
  const file = path.join(buildsDir(opts), `${key}-${sha(JSON.stringify(rec.sources)).slice(0, 16)}.json`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.${process.pid}`, JSON.stringify(rec));
  renameSync(`${file}.${process.pid}`, file);
  for (const old of records(key, opts).slice(KEEP_PER_KEY)) rmSync(old.file, { force: true });
}
