import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { execa } from 'execa';
import { BotctlError } from '../errors.js';
import { dependencySetKey } from './deps.js';
import { treeHash } from './hash.js';
import { ensureVersionsExist } from './versions.js';

export interface Manifest {
  id: string;
  dependencies: Record<string, string>;
  /** Bot entry (relative to fleet.yaml) -> bundled module inside the release. */
  bots: Record<string, string>;
  builtAt: string;
  gitSha: string | null;
}

export interface Release { id: string; dir: string; manifest: Manifest; built: boolean }

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

/** Builds (or finds) the release for one dependency set and the bot entries that use it. */
export async function buildRelease(deps: Record<string, string>, entries: string[], opts: BuildOptions): Promise<Release> {
  await ensureVersionsExist(deps, opts.offline);
  mkdirSync(path.join(opts.cacheDir, 'releases'), { recursive: true });
  const staging = mkdtempSync(path.join(opts.cacheDir, 'staging-'));
  try {
    await install(staging, deps, opts);
    cpSync(runtimeDir(), path.join(staging, 'runtime'), { recursive: true, filter: (src) => !src.endsWith('.map') });
    const bots: Record<string, string> = {};
    for (const entry of [...new Set(entries)].sort()) {
      const rel = path.relative(opts.fleetDir, entry).split(path.sep).join('/');
      bots[rel] = await bundleEntry(entry, rel, staging, opts.fleetDir);
    }
    const id = treeHash(staging);
    const manifest: Manifest = { id, dependencies: installedVersions(staging, deps), bots, builtAt: new Date().toISOString(), gitSha: gitSha(opts.fleetDir) };
    const dir = path.join(opts.cacheDir, 'releases', id);
    if (existsSync(dir)) {
      rmSync(staging, { recursive: true, force: true });
      return { id, dir, manifest: JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest, built: false };
    }
    writeFileSync(path.join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(staging, dir);
    return { id, dir, manifest, built: true };
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

/** Bundles a bot module; its import of the runtime stays a reference to the release's runtime. */
async function bundleEntry(entry: string, rel: string, staging: string, fleetDir: string): Promise<string> {
  const out = `bots/${rel.replace(/^bots\//, '').replace(/\.[cm]?[jt]sx?$/, '')}.mjs`;
  await build({
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
  return out;
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
