import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFleet } from '../../src/fleet/parse.js';
import type { Vm } from '../../src/fleet/types.js';
import { envFile, launch, runtimeConfig, runtimeConfigPath } from '../../src/ops/botFiles.js';
import { ensureRelease } from '../../src/ops/upload.js';
import { buildFleetReleases, selectBots, type BotRelease } from '../../src/release/fleet.js';
import { agentBundle } from '../../src/release/agentBundle.js';
import { AgentClient, agentArgv, schemas } from '../../src/remote/agent.js';
import type { Host } from '../../src/remote/host.js';
import { LocalHost } from '../../src/remote/local.js';
import { connectSsh } from '../../src/remote/ssh.js';
import { WebexSim } from '../../src/sim/webex/sim.js';
import { REPO, waitFor } from '../support/bots.js';
import { startSshd, type TestSshd } from '../support/sshd.js';

let sim: WebexSim;
let release: BotRelease;
let releaseDir: string;
let fleet: ReturnType<typeof parseFleet>;

beforeAll(async () => {
  sim = new WebexSim();
  await sim.start();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'botctl-agentfleet-'));
  mkdirSync(path.join(dir, 'bots'));
  copyFileSync(path.join(REPO, 'bots/echo.ts'), path.join(dir, 'bots/echo.ts'));
  const text = `vms:\n  vm: { host: local, root: .botctl/vm }\nbots:\n  barnacles: { vm: vm, platform: webex, entry: bots/echo.ts, token: env:T, dependencies: { ws: 8.17.1 } }\n`;
  writeFileSync(path.join(dir, 'fleet.yaml'), text);
  fleet = parseFleet(text, path.join(dir, 'fleet.yaml'));
  release = (await buildFleetReleases(fleet, selectBots(fleet, undefined), { BOTCTL_NPM_OFFLINE: '1' }))[0]!;
  releaseDir = path.join(dir, '.botctl/cache/releases', release!.release);
});
afterAll(async () => {
  await sim.stop();
});

it('passes a value that starts with a dash as part of its flag', () => {
  expect(agentArgv({ root: '/r' }, 'logs', { offset: -1, grep: '--help' })).toEqual(['node', '/r/botctl/agent.mjs', 'logs', '--root', '/r', '--offset=-1', '--grep=--help']);
});

it('passes boolean flags bare', () => {
  expect(agentArgv({ root: '/r' }, 'lock-release', { force: true, quiet: false })).toEqual(['node', '/r/botctl/agent.mjs', 'lock-release', '--root', '/r', '--force']);
});

it('builds agent calls as argv', () => {
  expect(agentArgv({ root: "/opt/b'ots", node: '/usr/bin/node' }, 'stop', { bot: 'x', 'timeout-ms': 500 })).toEqual([
    '/usr/bin/node', "/opt/b'ots/botctl/agent.mjs", 'stop', '--root', "/opt/b'ots", '--bot=x', '--timeout-ms=500',
  ]);
});

describe.each(['local', 'ssh'] as const)('the agent on a %s host', (kind) => {
  let sshd: TestSshd | undefined;
  let host: Host;
  let vm: Vm;
  let agent: AgentClient;
  const decoys: ChildProcess[] = [];

  beforeAll(async () => {
    let root: string;
    if (kind === 'ssh') {
      sshd = await startSshd();
      host = await connectSsh({ name: 'vm', host: sshd.alias }, { configFile: sshd.sshConfig });
      root = `${sshd.scratch}/root`;
    } else {
      host = new LocalHost('vm');
      root = path.join(mkdtempSync(path.join(os.tmpdir(), 'botctl-agentroot-')), 'root');
    }
    vm = { name: 'vm', host: kind, local: kind === 'local', root, supervisor: 'process', keepReleases: 5 };
    agent = new AgentClient(host, vm, agentBundle);
  });
  afterAll(async () => {
    for (const d of decoys) d.kill('SIGKILL');
    await host.run(['node', `${vm.root}/botctl/agent.mjs`, 'stop', '--root', vm.root, '--bot', 'barnacles']).catch(() => undefined);
    await host.close();
    await sshd?.stop();
  });

  const sh = async (script: string, ...args: string[]) => (await host.run(['sh', '-c', script, 'sh', ...args])).stdout.trim();
  const status = () => agent.call('status', schemas.status, { 'stale-ms': 5_000 });
  const botState = async () => (await status()).bots.find((b) => b.bot === 'barnacles')!;

  it('installs itself on first contact and reports an empty root', async () => {
    expect(await status()).toMatchObject({ releases: [], bots: [] });
    expect(await sh('test -f "$1" && echo yes', `${vm.root}/botctl/agent.mjs`)).toBe('yes');
  });

  it('uploads a release once, verified by its hash on the VM', async () => {
    expect(await ensureRelease(host, agent, vm, release.release, releaseDir)).toBe(true);
    expect(await ensureRelease(host, agent, vm, release.release, releaseDir)).toBe(false);
    expect((await status()).releases).toEqual([release.release]);
    expect(await sh('ls -a "$1"', `${vm.root}/releases`)).toBe(`.\n..\n${release.release}`);
  });

  it('refuses an upload whose contents do not hash to its id', async () => {
    const tampered = mkdtempSync(path.join(os.tmpdir(), 'botctl-tamper-'));
    cpSync(releaseDir, tampered, { recursive: true, verbatimSymlinks: true });
    writeFileSync(path.join(tampered, 'runtime/main.js'), '// replaced\n');
    const { execFileSync } = await import('node:child_process');
    execFileSync('tar', ['-czf', `${tampered}.tgz`, '-C', tampered, '.']);
    await host.put(`${tampered}.tgz`, `${vm.root}/releases/.upload-x.tar.gz`);
    const err = await agent.call('unpack', schemas.unpack, { release: 'aaaaaaaaaaaa', file: `${vm.root}/releases/.upload-x.tar.gz` }).catch((e) => e);
    expect(err.message).toMatch(/hashes to [0-9a-f]{12}, not aaaaaaaaaaaa: refusing it \(E_HASH\)/);
    expect((await status()).releases).toEqual([release.release]);
  });

  it('writes the env file 0600 and refuses paths outside the root', async () => {
    await agent.call('write', schemas.write, { path: 'bots/barnacles/env', mode: '600' }, envFile('token-agent-abcdef'));
    expect(await sh('stat -c %a "$1"', `${vm.root}/bots/barnacles/env`)).toBe('600');
    const err = await agent.call('write', schemas.write, { path: '../escape' }, 'x').catch((e) => e);
    expect(err.message).toMatch(/outside the root/);
  });

  it('switches current atomically and remembers the previous release', async () => {
    expect(await agent.call('switch', schemas.switch, { bot: 'barnacles', release: release.release })).toEqual({ bot: 'barnacles', from: null, to: release.release });
    expect(await sh('readlink "$1"', `${vm.root}/bots/barnacles/current`)).toBe(`../../releases/${release.release}`);
    const err = await agent.call('switch', schemas.switch, { bot: 'barnacles', release: 'bbbbbbbbbbbb' }).catch((e) => e);
    expect(err.message).toMatch(/E_NO_RELEASE/);
  });

  it('honours a lease from another host until its TTL, then takes it over', async () => {
    const planted = { owner: 'ops@elsewhere', host: 'elsewhere.example', pid: 4242, command: 'deploy --all', since: new Date().toISOString(), expires: new Date(Date.now() + 1_500).toISOString(), token: 'x' };
    await sh('mkdir -p "$1/botctl" && printf %s "$2" > "$1/botctl/lock"', vm.root, JSON.stringify(planted));
    const who = { owner: 'me@here', 'owner-host': 'here', 'owner-pid': 1, command: 'stop x', 'ttl-ms': 60_000 };
    const refused = await agent.call('lock-acquire', schemas.lockAcquire, who);
    expect(refused).toMatchObject({ held: false, by: { owner: 'ops@elsewhere', command: 'deploy --all' } });
    expect(JSON.stringify(refused)).not.toContain('"token"');
    const taken = await waitFor('the lease to expire and be taken over', async () => {
      const r = await agent.call('lock-acquire', schemas.lockAcquire, who);
      return r.held ? r : null;
    }, 5_000, 100);
    expect(taken.lease.owner).toBe('me@here');
    expect((await agent.call('lock-release', schemas.lockRelease, { token: taken.lease.token })).released?.owner).toBe('me@here');
  });

  it('starts the bot, proves its pid, stops it; a crash shows as crashed', async () => {
    sim.addBot('token-agent-abcdef', 'AgentBot');
    const room = sim.directRoom('token-agent-abcdef').id;
    const bot = fleet.bots.barnacles!;
    await agent.call('write', schemas.write, { path: 'bots/barnacles/runtime.json' }, JSON.stringify(runtimeConfig(vm, bot, release, { webex: sim.urls, telegram: { apiBase: sim.baseUrl } })));
    await agent.call('write', schemas.write, { path: 'bots/barnacles/launch.json' }, JSON.stringify(launch(vm, 'barnacles')));
    expect(await botState()).toMatchObject({ state: 'stopped', pid: null, current: release.release });

    const { pid } = await agent.call('start', schemas.start, { bot: 'barnacles' });
    const running = await waitFor('a ready heartbeat', async () => {
      const s = await botState();
      return s.heartbeat?.state === 'ready' && s.heartbeat?.pid === pid ? s : null;
    }, 15_000);
    expect(running).toMatchObject({ state: 'running', pid, heartbeat: { release: release.release, dependencies: { ws: '8.17.1', undici: '7.16.0' } } });
    sim.say(room, 'over the agent');
    await waitFor('the reply', () => sim.repliesBy('token-agent-abcdef', room).some((m) => m.text === 'echo: over the agent'));

    // A decoy whose command line holds the bot's name and even its config path as a substring.
    // (`; :` keeps the shell alive rather than exec'ing sleep, so its argv stays the decoy's.)
    const decoy = await sh('nohup sh -c "sleep 300; :" barnacles "$1.decoy" >/dev/null 2>&1 & echo $!', runtimeConfigPath(vm, 'barnacles'));
    expect(decoy).toMatch(/^\d+$/);
    expect(await sh('tr "\\0" " " < /proc/"$1"/cmdline', decoy)).toContain('barnacles');
    expect(await agent.call('stop', schemas.stop, { bot: 'barnacles', 'timeout-ms': 5_000 })).toEqual({ bot: 'barnacles', result: 'stopped' });
    expect(await botState()).toMatchObject({ state: 'stopped', pid: null });
    expect(await sh('kill -0 "$1" && echo alive', decoy)).toBe('alive');

    // A pid file pointing at the decoy (a reused pid): stop proves it is not the bot and leaves it.
    await agent.call('write', schemas.write, { path: 'bots/barnacles/run/bot.pid' }, JSON.stringify({ pid: Number(decoy), startTicks: 1, startedAt: '', argv: [] }));
    expect((await agent.call('stop', schemas.stop, { bot: 'barnacles' })).result).toBe('gone');
    expect(await sh('kill -0 "$1" && echo alive', decoy)).toBe('alive');
    await sh('kill $(cat /proc/"$1"/task/"$1"/children) "$1"', decoy);

    const again = await agent.call('start', schemas.start, { bot: 'barnacles' });
    await waitFor('running again', async () => (await botState()).state === 'running');
    await sh('kill -9 "$1"', String(again.pid));
    await waitFor('crashed', async () => (await botState()).state === 'crashed');
  });
});
