import { cpSync, existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/bots.js';
import { botctl, REPO, settle } from '../support/cli.js';
import { killUnder } from '../support/sshd.js';

// The README's first command, on a copy of the repository's fleet: no account, no VM.
function demoDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'botctl-demo-'));
  for (const f of ['fleet.yaml', 'fleet.schema.json', 'bots', 'release-locks']) cpSync(path.join(REPO, f), path.join(dir, f), { recursive: true });
  return dir;
}
const dir = demoDir();
const env = { BOTCTL_NPM_OFFLINE: '1' };
const run = (args: string[], extra: Record<string, string> = {}, cwd = dir) => botctl(args, { cwd, env: { ...env, ...extra } });
const BOTS = ['jarvis', 'tars', 'barnacles', 'money_ball', 'toodles', 'msoar', 'jarvis-tg'];
const status = async (cwd = dir) => JSON.parse((await run(['status', '--json'], {}, cwd)).stdout) as { bot: string; state: string; pid: number; dependencies: Record<string, string> }[];
const ledgerLines = () => {
  const file = path.join(dir, '.botctl/local/botctl/ledger.jsonl');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
};

// A PATH with node and nothing else: a command that needed npm (or esbuild's binary) would fail.
const bare = mkdtempSync(path.join(os.tmpdir(), 'botctl-nonpm-'));
symlinkSync(process.execPath, path.join(bare, 'node'));

const others: string[] = [];
afterAll(async () => {
  await settle();
  for (const d of [dir, ...others]) {
    await run(['down'], {}, d);
    // A bot or simulator a failed test left behind still goes.
    killUnder(d);
  }
});

describe('the local demo', () => {
  it('botctl up starts the simulator and all seven bots; they answer', async () => {
    const up = await run(['up']);
    expect(up.exitCode).toBe(0);
    expect(up.stdout).toMatch(/simulator on http:\/\/127\.0\.0\.1:\d+; try: botctl say jarvis \/status/);
    const rows = await status();
    expect(rows.map((r) => [r.bot, r.state])).toEqual(BOTS.map((b) => [b, 'running']));
    expect(rows.find((r) => r.bot === 'barnacles')!.dependencies.ws).toBe('8.17.1');
    expect((await run(['say', 'jarvis', '/status'])).stdout).toMatch(/^jarvis release [0-9a-f]{12} \(ws@8\.18\.3 undici@7\.16\.0\) up \d+m\d+s$/);
    expect((await run(['say', 'tars', 'hello'])).stdout).toBe('echo: hello');
    expect((await run(['say', 'jarvis-tg', 'hi'])).stdout).toBe('send /status to see what I run');
    // The status table fits 100 columns, with one rule under its header and none between rows.
    const table = (await run(['status'])).stdout.split('\n');
    expect(Math.max(...table.map((l) => l.length))).toBeLessThanOrEqual(100);
    expect(table.filter((l) => l.startsWith('├'))).toHaveLength(1);
  });

  it('up and deploy --all with everything built and running do no npm work, restart nothing, write no ledger entry', async () => {
    const pids = (await status()).map((r) => r.pid);
    const entries = ledgerLines();
    for (const args of [['up'], ['deploy', '--all'], ['deploy', '--all', '--dry-run']]) {
      const r = await run(args, { PATH: bare });
      expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stderr).toBe('');
    }
    expect((await status()).map((r) => r.pid)).toEqual(pids);
    expect(ledgerLines()).toBe(entries);
  });

  it('deploy, start and stop use the simulator and its demo tokens, whatever the environment holds', async () => {
    // A real-looking token in the environment must not reach the simulator (it would refuse it).
    const deployed = await run(['deploy', 'barnacles', '--json'], { WEBEX_TOKEN_BARNACLES: 'NjQ3ZDk-real-token' });
    expect(deployed.exitCode, deployed.stderr).toBe(0);
    expect(JSON.parse(deployed.stdout).bots.map((b: { action: string }) => b.action)).toEqual(['unchanged']);
    const dry = await run(['deploy', '--all', '--dry-run', '--json']);
    expect(dry.exitCode).toBe(0);
    expect(JSON.parse(dry.stdout).plan.map((p: { action: string }) => p.action)).toEqual(BOTS.map(() => 'unchanged'));
    expect((await run(['stop', 'tars'])).stdout).toMatch(/│ tars +│ local +│ stopped +│/);
    const again = await run(['stop', 'tars', '--json']);
    expect(JSON.parse(again.stdout)).toEqual([{ bot: 'tars', vm: 'local', result: 'already stopped', pid: null }]);
    expect((await run(['stop', 'tars', '--dry-run', '--json'])).stdout).toContain('"result": "already stopped"');
    expect((await run(['deploy', 'tars', '--dry-run', '--json'])).stdout).toContain('"action": "start (it is stopped)"');
    expect((await run(['start', 'tars'])).exitCode).toBe(0);
    expect(JSON.parse((await run(['start', 'tars', '--json'])).stdout)[0].result).toBe('already running');
    expect((await run(['say', 'tars', 'back?'])).stdout).toBe('echo: back?');
  });

  it('down says what it stopped; a second down says nothing ran; start brings the simulator back where the bots expect it', async () => {
    expect((await run(['down'])).stdout).toBe('stopped 7 bots and the simulator');
    expect((await status()).every((r) => r.state === 'stopped')).toBe(true);
    expect((await run(['say', 'jarvis', 'hi'])).exitCode).toBe(2);
    expect((await run(['down'])).stdout).toBe('no bot was running');
    expect((await run(['start', 'jarvis'])).exitCode).toBe(0);
    expect((await run(['say', 'jarvis', '/status'])).stdout).toMatch(/^jarvis release /);
    expect((await run(['down'])).stdout).toBe('stopped 1 bot and the simulator');
  });

  it('Ctrl-C during up stops the simulator it started when no bot runs yet, in one line', async () => {
    const d = demoDir();
    others.push(d);
    const child = run(['up'], {}, d);
    await waitFor('the simulator to start', () => existsSync(path.join(d, '.botctl/sim/sim.json')), 30_000, 10);
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(r.stderr.trim().split('\n').filter((l) => !/^local: uploaded|^local\/\S+: /.test(l))).toEqual(['error [E_INTERRUPTED] interrupted: stopped the simulator it had started; nothing else was changed']);
    expect(existsSync(path.join(d, '.botctl/sim/sim.json'))).toBe(false);
  });

  it('Ctrl-C during up, once bots run, says exactly what it left running and how to stop it', async () => {
    const d = others[0]!;
    const child = run(['up'], {}, d);
    let err = '';
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    // jarvis has started (and become ready) once the next bot's start is announced.
    await waitFor('the second bot to start', () => /local\/tars: install and start/.test(err), 60_000, 10);
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^error \[E_INTERRUPTED\] interrupted: left running: the simulator \(pid \d+\) and jarvis(, \S+)*; `botctl down` stops them$/);
    expect((await run(['down'], {}, d)).stdout).toMatch(/^stopped \d bots? and the simulator$/);
  });
});
