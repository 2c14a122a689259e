import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFleet } from '../../src/fleet/parse.js';
import { buildFleetReleases, selectBots } from '../../src/release/fleet.js';
import { nearestVersions, publishedVersions } from '../../src/release/versions.js';
import { BotProcess, REPO, waitFor } from '../support/bots.js';
import { useSim } from '../support/simFixture.js';

const OFFLINE = { BOTCTL_NPM_OFFLINE: '1' };
const fx = useSim('release');

function fleetIn(dir: string, pin = ''): ReturnType<typeof parseFleet> {
  mkdirSync(path.join(dir, 'bots'), { recursive: true });
  copyFileSync(path.join(REPO, 'bots/echo.ts'), path.join(dir, 'bots/echo.ts'));
  // The bot imports ../src/runtime/index.js, as in this repository.
  const text = `vms:\n  local: { host: local, root: .botctl/local }\nbots:\n  a: { vm: local, platform: webex, entry: bots/echo.ts, token: env:A }\n  b: { vm: local, platform: webex, entry: bots/echo.ts, token: env:B${pin} }\n`;
  writeFileSync(path.join(dir, 'fleet.yaml'), text);
  return parseFleet(text, path.join(dir, 'fleet.yaml'));
}

/** Runs `work` with npm off the PATH: a cached build must not need it. */
async function withoutNpm<T>(work: () => Promise<T>): Promise<T> {
  const saved = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    return await work();
  } finally {
    process.env.PATH = saved;
  }
}

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'botctl-release-'));

describe('release build', () => {
  it('gives the same id to the same inputs, wherever and whenever they are built', async () => {
    const one = fleetIn(tmp());
    const first = await buildFleetReleases(one, selectBots(one, undefined), OFFLINE);
    const d = tmp();
    const again = await buildFleetReleases(fleetIn(d), selectBots(fleetIn(d), undefined), OFFLINE);
    expect(again.map((r) => r.release)).toEqual(first.map((r) => r.release));
    expect(new Set(first.map((r) => r.release)).size).toBe(1);
    // Built once per dependency set, then found in the cache.
    expect(again.map((r) => r.built)).toEqual([true, true]);
    // Found again by the hash of its inputs: without npm on the PATH, nothing could be installed.
    const cached = await withoutNpm(() => buildFleetReleases(fleetIn(d), selectBots(fleetIn(d), undefined), OFFLINE));
    expect(cached.map((r) => [r.release, r.built])).toEqual(first.map((r) => [r.release, false]));
    const manifest = JSON.parse(readFileSync(path.join(d, '.botctl/cache/releases', first[0]!.release, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ id: first[0]!.release, bots: { 'bots/echo.ts': 'bots/echo.mjs' }, dependencies: { ws: '8.18.3', undici: '7.16.0' } });
    expect(Date.parse(manifest.builtAt)).not.toBeNaN();
  });

  it('builds again when a file an entry imports changes, and finds the old release when it changes back', async () => {
    const d = tmp();
    const fleet = fleetIn(d);
    writeFileSync(path.join(d, 'bots/greeting.ts'), "export const greeting = 'echo';\n");
    const src = readFileSync(path.join(d, 'bots/echo.ts'), 'utf8');
    writeFileSync(path.join(d, 'bots/echo.ts'), `import { greeting } from './greeting.js';\nexport const tag = greeting;\n${src}`);
    const [first] = await buildFleetReleases(fleet, selectBots(fleet, ['a']), OFFLINE);
    writeFileSync(path.join(d, 'bots/greeting.ts'), "export const greeting = 'hello';\n");
    const [changed] = await buildFleetReleases(fleet, selectBots(fleet, ['a']), OFFLINE);
    expect(changed!.release).not.toBe(first!.release);
    expect(changed!.built).toBe(true);
    writeFileSync(path.join(d, 'bots/greeting.ts'), "export const greeting = 'echo';\n");
    const [back] = await withoutNpm(() => buildFleetReleases(fleet, selectBots(fleet, ['a']), OFFLINE));
    expect(back).toMatchObject({ release: first!.release, built: false });
  });

  it('gives a per-bot pin its own release, holding the pinned version', async () => {
    const d = tmp();
    const fleet = fleetIn(d, ', dependencies: { ws: 8.17.1 }');
    const releases = await buildFleetReleases(fleet, selectBots(fleet, undefined), OFFLINE);
    expect(releases[0]!.release).not.toBe(releases[1]!.release);
    expect(releases.map((r) => r.dependencies.ws)).toEqual(['8.18.3', '8.17.1']);
    // A lockfile per dependency set pins the indirect dependencies for the next build.
    expect(readdirSync(path.join(d, 'release-locks'))).toHaveLength(2);
  });

  it('refuses a version that does not exist before building anything, naming the nearest', async () => {
    const d = tmp();
    const fleet = fleetIn(d, ', dependencies: { ws: 14.2.0 }');
    const err = await buildFleetReleases(fleet, selectBots(fleet, ['b']), OFFLINE).catch((e) => e);
    expect(err).toMatchObject({ code: 'E_USAGE' });
    // The registry moves (8.23.1 came after 8.23.0): judge the shape, and that each named version exists.
    const named = /^ws@14\.2\.0 does not exist \(nearest: (8\.\d+\.\d+), (8\.\d+\.\d+), (8\.\d+\.\d+)\)$/.exec(err.message);
    expect(named, err.message).not.toBeNull();
    const published = await publishedVersions('ws', true);
    for (const v of named!.slice(1)) expect(published).toContain(v);
    expect(err.hint).toMatch(/npm's ws is on 8\.x/);
    expect(existsSync(path.join(d, '.botctl/cache/releases'))).toBe(false);
  });

  it('names the newest 8.x versions for ws 14.2, from a recorded version list', () => {
    const recorded = (JSON.parse(readFileSync(path.join(REPO, 'test/fixtures/npm-versions-ws.json'), 'utf8')) as { versions: string[] }).versions;
    expect(nearestVersions('14.2.0', recorded)).toEqual(['8.23.1', '8.23.0', '8.22.2']);
    expect(nearestVersions('8.18.9', recorded)).toEqual(['8.18.3', '8.18.2', '8.18.1']);
  });

  it.each([
    ['14.2.0', ['8.1.0', '8.2.0', '8.23.0', '7.5.9'], ['8.23.0', '8.2.0', '8.1.0']],
    ['8.17.9', ['8.17.0', '8.17.1', '8.18.3', '8.16.0'], ['8.17.1', '8.17.0', '8.18.3']],
    ['8.18.0', ['8.18.0-beta.1', '8.18.3', '8.19.0'], ['8.18.3', '8.19.0']],
  ])('the versions nearest to %s', (wanted, versions, nearest) => {
    expect(nearestVersions(wanted, versions)).toEqual(nearest);
  });

  it('runs on its own: the bundled bot answers, on the versions the release holds', async () => {
    const d = tmp();
    const fleet = fleetIn(d, ', dependencies: { ws: 8.17.1 }');
    const [release] = await buildFleetReleases(fleet, selectBots(fleet, ['b']), OFFLINE);
    // Copied elsewhere, away from this repository's node_modules, it still runs.
    const home = tmp();
    cpSync(path.join(d, '.botctl/cache/releases', release!.release), path.join(home, 'release'), { recursive: true, verbatimSymlinks: true });
    const { b, roomId } = fx.bot({ entry: path.join(home, 'release', release!.module) });
    b.main = path.join(home, 'release/runtime/main.js');
    expect(readdirSync(path.join(home, 'release', 'runtime'))).toContain('main.js');
    await b.start().ready();
    fx.sim.say(roomId, 'from a release');
    await waitFor('the reply', () => fx.sim.repliesBy(b.token, roomId).some((m) => m.text === 'echo: from a release'));
    expect(b.status()!.dependencies).toEqual({ ws: '8.17.1', undici: '7.16.0' });
  });
});
