import { execa } from 'execa';
import { BotctlError } from '../errors.js';

/** Published versions of a package, from the npm cache when it has them (tests run offline). */
export async function publishedVersions(pkg: string, offline: boolean): Promise<string[]> {
  const r = await execa('npm', ['view', pkg, 'versions', '--json', offline ? '--offline' : '--prefer-offline'], { reject: false, stdin: 'ignore' });
  if (r.exitCode !== 0) {
    throw new BotctlError('E_REMOTE', `cannot list the versions of ${pkg} on npm: ${String(r.stderr).split('\n').find((l) => l.includes('error')) ?? r.stderr}`, {
      hint: offline ? 'the npm cache lacks this package; run once with network (or `npm cache add`)' : 'check the package name and the npm registry',
    });
  }
  const parsed = JSON.parse(String(r.stdout)) as string | string[];
  return Array.isArray(parsed) ? parsed : [parsed];
}

function parts(v: string): number[] {
  return v.split(/[.-]/).slice(0, 3).map((x) => Number(x) || 0);
}

/**
 * The `count` published versions nearest to `wanted`: within its major, by minor then patch
 * distance; when that major does not exist, the newest of the closest major.
 */
export function nearestVersions(wanted: string, versions: string[], count = 3): string[] {
  const [wm, wn, wp] = parts(wanted) as [number, number, number];
  const stable = versions.filter((v) => !v.includes('-'));
  if (!stable.length) return [];
  const closest = Math.min(...stable.map((v) => Math.abs(parts(v)[0]! - wm)));
  const major = stable.filter((v) => Math.abs(parts(v)[0]! - wm) === closest);
  const newestFirst = (a: string, b: string) => b.localeCompare(a, undefined, { numeric: true });
  if (parts(major[0]!)[0] !== wm) return major.sort(newestFirst).slice(0, count);
  const distance = (v: string) => {
    const [, n, p] = parts(v) as [number, number, number];
    return Math.abs(n - wn) * 10_000 + Math.abs(p - wp);
  };
  return major.sort((a, b) => distance(a) - distance(b) || newestFirst(a, b)).slice(0, count);
}

/** Fails before anything changes when a requested version does not exist, naming the nearest ones. */
export async function ensureVersionsExist(deps: Record<string, string>, offline: boolean): Promise<void> {
  const problems: string[] = [];
  for (const [pkg, version] of Object.entries(deps)) {
    const versions = await publishedVersions(pkg, offline);
    if (!versions.includes(version)) problems.push(`${pkg}@${version} does not exist (nearest: ${nearestVersions(version, versions).join(', ')})`);
  }
  if (problems.length) {
    throw new BotctlError('E_USAGE', problems.join('; '), {
      hint: 'pick an existing version; note npm\'s ws is on 8.x ("websockets 14.2" is the Python package)',
    });
  }
}
