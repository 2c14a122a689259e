import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebexSim } from '../../src/sim/webex/sim.js';
import { waitFor } from '../support/bots.js';
import { botctl, fleetDir, settle } from '../support/cli.js';
import { startSshd, type TestSshd } from '../support/sshd.js';

const SECRETS = { TOKEN_ALPHA: 'secret-alpha-7d1f0c', TOKEN_BETA: 'secret-beta-2b9e41', TOKEN_GAMMA: 'secret-gamma-c04a77' };
let sshd: TestSshd;
let sim: WebexSim;
let dir: string;
let root: string;
let env: Record<string, string>;

function fleetText(gammaWs = '8.17.1'): string {
  return `platforms:
  webex: { apiBase: "${sim.urls.apiBase}", wdmBase: "${sim.urls.wdmBase}" }
vms:
  testvm: { host: ${sshd.alias}, root: ${root}, supervisor: process }
bots:
  alpha: { vm: testvm, platform: webex, entry: bots/echo.ts, token: env:TOKEN_ALPHA }
  beta: { vm: testvm, platform: webex, entry: bots/status.ts, token: env:TOKEN_BETA }
  gamma: { vm: testvm, platform: webex, entry: bots/echo.ts, token: env:TOKEN_GAMMA, dependencies: { ws: ${gammaWs} } }
`;
}

beforeAll(async () => {
  sshd = await startSshd();
  sim = new WebexSim();
  await sim.start();
  for (const [name, token] of Object.entries(SECRETS)) sim.addBot(token, name);
  root = `${sshd.scratch}/bots-root`;
  dir = fleetDir(fleetText());
  env = { BOTCTL_SSH_CONFIG: sshd.sshConfig, BOTCTL_NPM_OFFLINE: '1', ...SECRETS };
});
afterAll(async () => {
  await settle();
  await botctl(['stop', '--all', '--lock-wait', '70s'], { cwd: dir, env }).catch(() => undefined);
  await sim.stop();
  await sshd.stop();
});

const run = (args: string[], extra: Record<string, string> = {}) => botctl(args, { cwd: dir, env: { ...env, ...extra } });
const status = async () => JSON.parse((await run(['status', '--json'])).stdout) as { bot: string; state: string; release: string; pid: number; dependencies: Record<string, string> }[];
const row = async (bot: string) => (await status()).find((r) => r.bot === bot)!;
const ssh = (script: string) => execa('ssh', ['-F', sshd.sshConfig, sshd.alias, script]);

describe('deploy over SSH', () => {
  it('deploys three bots; status shows them running with their releases and versions', async () => {
    const r = await run(['deploy', '--all', '--json']);
    expect(r.stderr).toMatch(/uploaded release/);
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.bots.map((b: { action: string }) => b.action)).toEqual(['started', 'started', 'started']);
    const rows = await status();
    expect(rows.map((x) => [x.bot, x.state])).toEqual([['alpha', 'running'], ['beta', 'running'], ['gamma', 'running']]);
    // The pin gives gamma alone the other release, running ws 8.17.1.
    expect(rows[0]!.release).toBe(rows[1]!.release);
    expect(rows[2]!.release).not.toBe(rows[0]!.release);
    expect(rows.map((x) => x.dependencies.ws)).toEqual(['8.18.3', '8.18.3', '8.17.1']);
    const room = sim.directRoom(SECRETS.TOKEN_ALPHA).id;
    sim.say(room, 'deployed?');
    await waitFor('alpha answers', () => sim.repliesBy(SECRETS.TOKEN_ALPHA, room).some((m) => m.text === 'echo: deployed?'));
  });

  it('stop -> stopped; kill -9 -> crashed; deploy again starts only those, uploads nothing', async () => {
    expect((await run(['stop', 'beta'])).exitCode).toBe(0);
    expect((await row('beta')).state).toBe('stopped');
    await ssh(`kill -9 ${(await row('gamma')).pid}`);
    await waitFor('gamma crashed', async () => (await row('gamma')).state === 'crashed');
    const alphaPid = (await row('alpha')).pid;
    const again = JSON.parse((await run(['deploy', '--all', '--json'])).stdout);
    expect(again.bots.map((b: { bot: string; action: string; uploaded: boolean }) => [b.bot, b.action, b.uploaded])).toEqual([
      ['alpha', 'unchanged', false], ['beta', 'started', false], ['gamma', 'started', false],
    ]);
    expect((await row('alpha')).pid).toBe(alphaPid);
  });

  it('deploys again with nothing changed: nothing uploaded, nothing restarted', async () => {
    const pids = (await status()).map((x) => x.pid);
    const r = await run(['deploy', '--all', '--json']);
    expect(r.stderr).not.toMatch(/uploaded|restarting|starting/);
    expect(JSON.parse(r.stdout).bots.every((b: { action: string }) => b.action === 'unchanged')).toBe(true);
    expect((await status()).map((x) => x.pid)).toEqual(pids);
  });

  it('--dry-run on stop, start and down prints the plan and changes nothing', async () => {
    const pids = (await status()).map((x) => x.pid);
    const ledger = (await ssh(`wc -l < ${root}/botctl/ledger.jsonl`)).stdout;
    const stop = await run(['stop', '--all', '--dry-run']);
    expect(stop.exitCode).toBe(0);
    expect(stop.stdout).toMatch(/^dry run: nothing was changed\n/);
    expect(stop.stdout).toMatch(/│ alpha +│ testvm +│ would stop \(SIGTERM to the proven pid\) +│ \d+/);
    const start = JSON.parse((await run(['start', 'beta', '--dry-run', '--json'])).stdout);
    expect(start).toEqual({ plan: [{ bot: 'beta', vm: 'testvm', result: 'already running', pid: pids[1] }] });
    const down = await run(['down', '--dry-run']);
    expect(down.stdout).toBe(`dry run: nothing was changed\n${['alpha', 'beta', 'gamma'].map((b) => `testvm/${b}: would stop (SIGTERM to the proven pid)`).join('\n')}`);
    expect((await status()).map((x) => x.pid)).toEqual(pids);
    expect((await ssh(`wc -l < ${root}/botctl/ledger.jsonl`)).stdout).toBe(ledger);
  });

  it('refuses a second mutating command while the first holds the lock, then lets it through', async () => {
    sim.addBot('rotated-gamma-0a1b2c', 'gamma2');
    const first = run(['deploy', 'gamma'], { TOKEN_GAMMA: 'rotated-gamma-0a1b2c' });
    await waitFor('the first holding the lock', async () => (await ssh(`cat ${root}/botctl/lock 2>/dev/null || true`)).stdout.includes('deploy gamma'), 20_000, 10);
    const second = await run(['stop', 'alpha']);
    expect(second.exitCode).toBe(4);
    expect(second.stderr).toMatch(/^error \[E_LOCK_HELD\] the fleet lock on testvm is held by \S+@\S+ \(pid \d+ on \S+\) running `botctl deploy gamma` since /);
    expect((await first).exitCode).toBe(0);
    expect((await run(['stop', 'alpha'])).exitCode).toBe(0);
    expect((await run(['start', 'alpha'])).exitCode).toBe(0);
  });

  it('takes over at once a lease whose botctl was SIGKILLed on this same machine (its pid is proven gone)', async () => {
    const victim = run(['deploy', '--all']);
    await waitFor('the victim holding the lock', async () => (await ssh(`cat ${root}/botctl/lock 2>/dev/null || true`)).stdout.includes('deploy --all'), 20_000, 10);
    victim.kill('SIGKILL');
    await victim;
    expect((await ssh(`cat ${root}/botctl/lock`)).stdout).toContain('deploy --all');
    const dry = await run(['lock', 'release', '--force', '--dry-run']);
    expect(dry.stdout).toMatch(/^dry run: nothing was changed\nwould release the lock on testvm \(\S+@\S+: deploy --all\)$/);
    expect((await ssh(`cat ${root}/botctl/lock`)).stdout).toContain('deploy --all');
    const next = await run(['stop', 'beta']);
    expect(next.stderr).not.toMatch(/E_LOCK_HELD/);
    expect(next.exitCode).toBe(0);
    expect((await run(['start', 'beta'])).exitCode).toBe(0);
  });

  it('shows logs, history and the lock', async () => {
    const logs = await run(['logs', 'alpha', '-n', '200']);
    expect(logs.exitCode).toBe(0);
    expect(logs.stdout).toMatch(/info  runtime\.ready startupMs=\d+/);
    const grep = await run(['logs', 'alpha', '--grep', 'reply.sent', '--raw']);
    expect(grep.stdout.trim().split('\n').every((l) => JSON.parse(l).event === 'reply.sent')).toBe(true);
    expect((await run(['logs', 'alpha', '--since', 'yesterday'])).exitCode).toBe(2);
    const hist = JSON.parse((await run(['history', 'gamma', '--json'])).stdout) as { bot: string; action: string; result: string; who: string; to: string }[];
    expect(hist.length).toBeGreaterThan(0);
    expect(hist.every((e) => e.bot === 'gamma')).toBe(true);
    expect(hist.filter((e) => e.action === 'deploy' && e.result === 'ok').at(-1)!.to).toBe((await row('gamma')).release);
    expect((await run(['history'])).stdout).toMatch(/deploy --all/);
    expect((await run(['lock', 'status'])).stdout).toMatch(/testvm .*free/);
    expect((await run(['lock', 'release'])).stdout).toBe('no lock was held');
  });

  it('never shows a secret: not in logs, ledger, --json output or process listings', async () => {
    const outputs = [(await run(['status', '--json'])).stdout, (await run(['deploy', '--all', '--json'])).stdout, (await run(['config', '--json'])).stdout];
    const remote = (await ssh(`cat ${root}/logs/*.log ${root}/botctl/ledger.jsonl; ps -eo args`)).stdout;
    for (const secret of [...Object.values(SECRETS), 'rotated-gamma-0a1b2c']) {
      for (const text of [...outputs, remote]) expect(text).not.toContain(secret);
    }
    const ledger = (await ssh(`cat ${root}/botctl/ledger.jsonl`)).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(ledger.some((e) => e.action === 'deploy' && e.bot === 'gamma' && e.result === 'ok')).toBe(true);
  });

  it('reports a bot fleet.yaml no longer places, and removes it only with --prune', async () => {
    writeFileSync(path.join(dir, 'fleet.yaml'), fleetText().replace(/^ {2}gamma:.*\n/m, ''));
    const gammaPid = (await row('gamma')).pid;
    const dry = await run(['deploy', '--all', '--dry-run']);
    expect(dry.stdout).toMatch(/│ testvm +│ gamma +│ \w+ +│ - +│ no +│ not in fleet\.yaml: left as it is \(--prune removes it\) +│/);
    const kept = await run(['deploy', '--all']);
    expect(kept.exitCode).toBe(0);
    expect(kept.stdout).toContain('gamma still runs on testvm but fleet.yaml no longer places it there (--prune removes it)');
    expect(await row('gamma')).toMatchObject({ state: 'running', pid: gammaPid });
    expect((await run(['deploy', '--all', '--prune', '--dry-run'])).stdout).toMatch(/│ gamma +│ \w+ +│ - +│ no +│ not in fleet\.yaml: stop and remove +│/);
    const pruned = await run(['deploy', '--all', '--prune']);
    expect(pruned.exitCode).toBe(0);
    expect(pruned.stdout).toContain('removed gamma from testvm: fleet.yaml no longer places it there');
    expect((await status()).map((x) => x.bot)).toEqual(['alpha', 'beta']);
    expect((await ssh(`ls ${root}/bots`)).stdout).toBe('alpha\nbeta');
    // Gone, or a zombie its new parent has not reaped yet (the agent that started it has exited).
    expect((await ssh(`ps -o stat= -p ${gammaPid} || true`)).stdout.trim()).toMatch(/^(Z.*)?$/);
  });
});
