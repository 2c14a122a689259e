import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BotctlError } from '../errors.js';
import { dependencySetKey } from './deps.js';
import { treeHash } from './hash.js';
import { cachedRelease, inputsKey, rememberRelease, type InputsOptions } from './inputs.js';
import type { Manifest, Release } from './manifest.js';

export type { Manifest, Release };

export interface BuildOptions {
  /** Where releases are kept on this machine: <cacheDir>/releases/<id>. */
  cacheDir: string;
  /** Lockfiles per dependency set, so indirect dependencies stay pinned (commit them). */
  locksDir: string;
  /** fleet.yaml's directory: entries are named relative to it inside the release. */
  fleetDir: string;
  /** Use only the npm cache (tests, air-gapped machines). */
  offline: boolean;
}

/** The compiled runtime a release ships (from dist/, also when botctl runs from its sources in tests). */
function runtimeDir(): string {
  const here = fileURLToPath(new URL('../runtime/', import.meta.url));
  return existsSync(path.join(here, 'main.js')) ? here : path.resolve(here, '../../dist/src/runtime/');
}

/**
 * Finds or builds the release for one dependency set and the bot entries that use it. Unchanged
 * inputs are found by their hash without installing or bundling anything.
 */
export async function buildRelease(deps: Record<string, string>, entries: string[], opts: BuildOptions): Promise<Release> {
  const inputs: InputsOptions = { ...opts, runtimeDir: runtimeDir() };
  const key = inputsKey(deps, entries, inputs);
  const hit = key ? cachedRelease(key, inputs) : null;
  if (hit) return { ...hit, built: false };
  const { ensureVersionsExist } = await import('./versions.js');
  await ensureVersionsExist(deps, opts.offline);
  mkdirSync(path.join(opts.cacheDir, 'releases'), { recursive: true });
  const staging = mkdtempSync(path.join(opts.cacheDir, 'staging-'));
  try {
    await install(staging, deps, opts);
    cpSync(inputs.runtimeDir, path.join(staging, 'runtime'), { recursive: true, filter: (src) => !src.endsWith('.map') });
    const bots: Record<string, string> = {};
    const sources = new Set<string>();
    for (const entry of [...new Set(entries)].sort()) {
      const rel = path.relative(opts.fleetDir, entry).split(path.sep).join('/');
      const out = await bundleEntry(entry, rel, staging, opts.fleetDir);
      bots[rel] = out.module;
      for (const s of out.sources) sources.add(s);
    }
    const id = treeHash(staging);
    const manifest: Manifest = { id, dependencies: installedVersions(staging, deps), bots, builtAt: new Date().toISOString(), gitSha: gitSha(opts.fleetDir) };
    const dir = path.join(opts.cacheDir, 'releases', id);
    let release: Release;
    if (existsSync(dir)) {
      rmSync(staging, { recursive: true, force: true });
      release = { id, dir, manifest: JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest, built: false };
    } else {
      writeFileSync(path.join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      renameSync(staging, dir);
      release = { id, dir, manifest, built: true };
    }
    // The first build of a dependency set wrote its lockfile: only now are the inputs all known.
    const after = inputsKey(deps, entries, inputs);
    if (after) rememberRelease(after, id, [...sources], inputs);
    return release;
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

async function install(dir: string, deps: Record<string, string>, opts: BuildOptions): Promise<void> {
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: 'botctl-release', version: '0.0.0', private: true, type: 'module', dependencies: deps }, null, 2)}\n`);
  const lock = path.join(opts.locksDir, `${dependencySetKey(deps)}.json`);
  const locked = existsSync(lock);
  if (locked) cpSync(lock, path.join(dir, 'package-lock.json'));
  const args = [locked ? 'ci' : 'install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', opts.offline ? '--offline' : '--prefer-offline'];
  const { execa } = await import('execa');
  const r = await execa('npm', args, { cwd: dir, reject: false, stdin: 'ignore' });
  if (r.exitCode !== 0) {
    const why = String(r.stderr).split('\n').filter((l) => l.startsWith('npm error')).slice(0, 2).join('; ');
    throw new BotctlError('E_REMOTE', `npm could not install ${Object.entries(deps).map(([p, v]) => `${p}@${v}`).join(' ')}: ${why}`, {
      hint: opts.offline ? 'offline builds need every package in the npm cache (see .ci/run)' : 'check the network path to the npm registry',
    });
  }
  if (!locked) {
    mkdirSync(opts.locksDir, { recursive: true });
    cpSync(path.join(dir, 'package-lock.json'), lock);
  }
}

/**
 * Bundles a bot module; its import of the runtime stays a reference to the release's runtime.
 * Returns the module's path in the release and every source file the bundle read.
 */
async function bundleEntry(entry: string, rel: string, staging: string, fleetDir: string): Promise<{ module: string; sources: string[] }> {
  const out = `bots/${rel.replace(/^bots\//, '').replace(/\.[cm]?[jt]sx?$/, '')}.mjs`;
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [entry],
    outfile: path.join(staging, out),
    // esbuild names the source in a comment relative to this: the fleet's directory, not the cwd.
    absWorkingDir: fleetDir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
    metafile: true,
    plugins: [{
      name: 'botctl-runtime',
      setup(b) {
        b.onResolve({ filter: /(^botctl\/runtime$)|(runtime\/index(\.[jt]s)?$)/ }, () => ({
          path: path.posix.relative(path.posix.dirname(out), 'runtime/index.js').replace(/^(?!\.)/, './'),
          external: true,
        }));
      },
    }],
  });
  return { module: out, sources: Object.keys(result.metafile.inputs).map((f) => path.resolve(fleetDir, f)) };
}

function installedVersions(dir: string, deps: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(deps).map((p) => [p, (JSON.parse(readFileSync(path.join(dir, 'node_modules', p, 'package.json'), 'utf8')) as { version: string }).version]));
}

function gitSha(dir: string): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || null;
  } catch {
    return null;
  }
}
