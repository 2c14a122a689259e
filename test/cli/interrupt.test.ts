import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebexSim } from '../../src/sim/webex/sim.js';
import { waitFor } from '../support/bots.js';
import { botctl, fleetDir, settle } from '../support/cli.js';
import { startSshd, type TestSshd } from '../support/sshd.js';

const SECRETS = { TOKEN_A: 'secret-a-91ab', TOKEN_B: 'secret-b-27cd', TOKEN_C: 'secret-c-55ef' };
let sshd: TestSshd;
let sim: WebexSim;
let dir: string;
let root: string;
let env: Record<string, string>;

// Changing the pool size changes every bot's runtime.json, so a deploy restarts all three.
function fleet(connections: number): string {
  return `platforms:
  webex: { apiBase: "${sim.urls.apiBase}", wdmBase: "${sim.urls.wdmBase}" }
defaults:
  http: { connections: ${connections} }
vms:
  testvm: { host: ${sshd.alias}, root: ${root}, supervisor: process }
bots:
  a: { vm: testvm, platform: webex, entry: bots/echo.ts, token: env:TOKEN_A }
  b: { vm: testvm, platform: webex, entry: bots/echo.ts, token: env:TOKEN_B, dependencies: { ws: 8.17.1 } }
  c: { vm: testvm, platform: webex, entry: bots/echo.ts, token: env:TOKEN_C }
`;
}

beforeAll(async () => {
  sshd = await startSshd();
  sim = new WebexSim();
  await sim.start();
  for (const [name, token] of Object.entries(SECRETS)) sim.addBot(token, name);
  root = `${sshd.scratch}/root`;
  dir = fleetDir(fleet(50));
  env = { BOTCTL_SSH_CONFIG: sshd.sshConfig, BOTCTL_NPM_OFFLINE: '1', ...SECRETS };
  expect((await botctl(['deploy', '--all'], { cwd: dir, env })).exitCode).toBe(0);
});
afterAll(async () => {
  await settle();
  await botctl(['stop', '--all', '--lock-wait', '70s'], { cwd: dir, env }).catch(() => undefined);
  await sim.stop();
  await sshd.stop();
});

const status = async () => JSON.parse((await botctl(['status', '--json'], { cwd: dir, env })).stdout) as { bot: string; state: string; release: string }[];
const releases = async () => (await execa('ssh', ['-F', sshd.sshConfig, sshd.alias, `ls ${root}/releases`])).stdout.split('\n');

/** Starts a deploy that restarts everything and interrupts it as the first bot restarts. */
async function interruptedDeploy(connections: number, interrupt: (child: ReturnType<typeof botctl>) => Promise<void>) {
  writeFileSync(path.join(dir, 'fleet.yaml'), fleet(connections));
  const child = botctl(['deploy', '--all'], { cwd: dir, env });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  await waitFor('the first restart', () => /testvm\/a: restart/.test(err), 60_000, 10);
  await interrupt(child);
  return child;
}

describe('an interrupted deploy', () => {
  it('Ctrl-C: exits 130, releases the lock, and leaves every bot on a complete release', async () => {
    const child = await interruptedDeploy(40, async (c) => void c.kill('SIGINT'));
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(r.stderr).toMatch(/error \[E_INTERRUPTED\] interrupted/);
    expect((await botctl(['lock', 'status'], { cwd: dir, env })).stdout).toMatch(/free/);
    const known = await releases();
    for (const row of await status()) expect(known).toContain(row.release);
    // The next deploy finishes the job.
    expect((await botctl(['deploy', '--all'], { cwd: dir, env })).exitCode).toBe(0);
    expect((await status()).map((s) => s.state)).toEqual(['running', 'running', 'running']);
  });

  it('a dropped SSH connection: exits 3, and every bot is still on a complete release', async () => {
    const child = await interruptedDeploy(30, async () => {
      // Cut the test user's SSH sessions: what a network drop does to botctl's one connection.
      await execa('sh', ['-c', `for p in $(ps -o pid= -u ${sshd.user} -o comm= | awk '$2 ~ /^sshd/ {print $1}'); do kill -9 $p; done`]);
    });
    const r = await child;
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/error \[E_UNREACHABLE\]/);
    const known = await releases();
    for (const row of await status()) expect(known).toContain(row.release);
    // The lease of the vanished botctl (same machine, pid gone) does not block the next deploy.
    expect((await botctl(['deploy', '--all'], { cwd: dir, env })).exitCode).toBe(0);
    expect((await status()).map((s) => s.state)).toEqual(['running', 'running', 'running']);
  });
});
