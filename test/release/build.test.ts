import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFleet } from '../../src/fleet/parse.js';
import { buildFleetReleases, selectBots } from '../../src/release/fleet.js';
import { nearestVersions } from '../../src/release/versions.js';
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
    const cached = await buildFleetReleases(fleetIn(d), selectBots(fleetIn(d), undefined), OFFLINE);
    expect(cached.map((r) => r.built)).toEqual([false, false]);
    const manifest = JSON.parse(readFileSync(path.join(d, '.botctl/cache/releases', first[0]!.release, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ id: first[0]!.release, bots: { 'bots/echo.ts': 'bots/echo.mjs' }, dependencies: { ws: '8.18.3', undici: '7.16.0' } });
    expect(Date.parse(manifest.builtAt)).not.toBeNaN();
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
    expect(err.message).toBe('ws@14.2.0 does not exist (nearest: 8.23.0, 8.22.2, 8.22.1)');
    expect(existsSync(path.join(d, '.botctl/cache/releases'))).toBe(false);
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
