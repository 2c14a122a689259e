import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { WebexSim } from '../src/sim/webex/sim.js';
import { startSshd, type TestSshd } from '../test/support/sshd.js';
import { median, ms, timeEach, timeInterleaved, type Row } from './lib.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(REPO, 'bin/botctl');
const N = 15;

function fleetDir(text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'botctl-bench-'));
  cpSync(path.join(REPO, 'bots'), path.join(dir, 'bots'), { recursive: true });
  writeFileSync(path.join(dir, 'fleet.yaml'), text);
  return dir;
}

/** A fleet of `perVm` bots on each sshd, pointed at the simulator, with one ssh_config for all. */
function fleetFor(sim: WebexSim, sshds: TestSshd[], perVm: number, tokens: Map<string, string>): { dir: string; sshConfig: string } {
  const sshConfig = path.join(mkdtempSync(path.join(os.tmpdir(), 'botctl-bench-ssh-')), 'config');
  writeFileSync(sshConfig, sshds.map((s, i) => `Host vm${i}\n  HostName 127.0.0.1\n  Port ${s.port}\n  User ${s.user}\n  IdentityFile ${s.clientKey}\n  IdentitiesOnly yes\n  IdentityAgent none\n  UserKnownHostsFile ${s.knownHosts}\n  StrictHostKeyChecking yes\n  BatchMode yes\n`).join(''));
  const vms = sshds.map((s, i) => `  vm${i}: { host: vm${i}, root: ${s.scratch}/root, supervisor: process }`).join('\n');
  const bots: string[] = [];
  for (let i = 0; i < sshds.length; i++) {
    for (let j = 0; j < perVm; j++) {
      const name = `bot${i}x${j}`;
      const env = `TOKEN_${i}_${j}`;
      tokens.set(env, `bench-token-${i}-${j}-abcdef`);
      sim.addBot(tokens.get(env)!, name);
      bots.push(`  ${name}: { vm: vm${i}, platform: webex, entry: bots/echo.ts, token: env:${env} }`);
    }
  }
  const dir = fleetDir(`platforms:\n  webex: { apiBase: "${sim.urls.apiBase}", wdmBase: "${sim.urls.wdmBase}" }\nvms:\n${vms}\nbots:\n${bots.join('\n')}\n`);
  mkdirSync(path.join(dir, 'release-locks'), { recursive: true });
  cpSync(path.join(REPO, 'release-locks'), path.join(dir, 'release-locks'), { recursive: true });
  return { dir, sshConfig };
}

// This sandbox sets NODE_EXTRA_CA_CERTS, which makes every node process load the whole CA bundle
// before any JavaScript runs (+35 ms here). A workstation does not; the status rows are measured
// without it, and one row shows its cost so the figures can be read either way.
const PLAIN = { NODE_EXTRA_CA_CERTS: undefined };

const statusRun = (dir: string, env: Record<string, string | undefined>) => () => execa('node', [BIN, 'status', '--json'], { cwd: dir, env: { ...env, ...PLAIN } });

async function statusTimes(dir: string, env: Record<string, string>): Promise<number[]> {
  const run = statusRun(dir, env);
  await run();
  return timeEach(N, run);
}

export async function statusBench(rows: Row[]): Promise<void> {
  const sim = new WebexSim();
  await sim.start();
  const sshds: TestSshd[] = [];
  const dirs: { dir: string; env: Record<string, string> }[] = [];
  try {
    for (let i = 0; i < 5; i++) sshds.push(await startSshd());
    const one = new Map<string, string>();
    const f1 = fleetFor(sim, sshds.slice(0, 1), 6, one);
    const five = new Map<string, string>();
    const f5 = fleetFor(sim, sshds, 6, five);
    for (const [f, tokens] of [[f1, one], [f5, five]] as const) {
      const env = { BOTCTL_SSH_CONFIG: f.sshConfig, BOTCTL_NPM_OFFLINE: '1', NO_COLOR: '1', ...Object.fromEntries(tokens) };
      const r = await execa('node', [BIN, 'deploy', '--all'], { cwd: f.dir, env, reject: false });
      if (r.exitCode !== 0) throw new Error(`bench deploy failed: ${r.stderr}`);
      dirs.push({ dir: f.dir, env });
    }
    await statusRun(dirs[0]!.dir, dirs[0]!.env)();
    const [single, ssh] = await timeInterleaved(N, [
      statusRun(dirs[0]!.dir, dirs[0]!.env),
      () => execa('ssh', ['-F', f1.sshConfig, '-o', 'ControlMaster=no', '-o', 'ControlPath=none', 'vm0', 'true']),
    ]) as [number[], number[]];
    rows.push({
      what: '`botctl status`, 6 bots on 1 VM (median)', botctl: ms(median(single)), baseline: ms(median(ssh)), baselineWhat: 'OpenSSH `ssh host true`',
      compare: `${(median(single) / median(ssh)).toFixed(2)}x`, target: '<= 1.3x', met: median(single) <= 1.3 * median(ssh),
    });
    if (process.env.NODE_EXTRA_CA_CERTS) {
      const [withCa, without, statusCa] = await timeInterleaved(N, [
        () => execa('node', ['-e', '0']),
        () => execa('node', ['-e', '0'], { env: PLAIN }),
        () => execa('node', [BIN, 'status', '--json'], { cwd: dirs[0]!.dir, env: dirs[0]!.env }),
      ]) as [number[], number[], number[]];
      rows.push({
        what: 'node start-up (`node -e 0`) with this machine\'s NODE_EXTRA_CA_CERTS', botctl: ms(median(withCa)), baseline: ms(median(without)), baselineWhat: 'without it',
        compare: `+${(median(withCa) - median(without)).toFixed(1)} ms`, target: '-', met: true,
      });
      rows.push({
        what: '`botctl status`, 6 bots on 1 VM, with NODE_EXTRA_CA_CERTS set', botctl: ms(median(statusCa)), baseline: ms(median(ssh)), baselineWhat: 'OpenSSH `ssh host true`',
        compare: `${(median(statusCa) / median(ssh)).toFixed(2)}x`, target: '<= 1.3x', met: median(statusCa) <= 1.3 * median(ssh),
      });
    }
    const multi = await statusTimes(dirs[1]!.dir, dirs[1]!.env);
    rows.push({
      what: '`botctl status`, 30 bots on 5 VMs (median)', botctl: ms(median(multi)), baseline: ms(median(single)), baselineWhat: '6 bots on 1 VM',
      compare: `${(median(multi) / median(single)).toFixed(2)}x`, target: '<= 2x', met: median(multi) <= 2 * median(single),
    });
    // The repository's own fleet, as a user runs it after `botctl up`.
    const demo = fleetDir('');
    for (const f of ['fleet.yaml', 'release-locks']) cpSync(path.join(REPO, f), path.join(demo, f), { recursive: true });
    const demoEnv = { BOTCTL_NPM_OFFLINE: '1', NO_COLOR: '1' };
    await execa('node', [BIN, 'up'], { cwd: demo, env: demoEnv });
    const local = await statusTimes(demo, demoEnv);
    await execa('node', [BIN, 'down'], { cwd: demo, env: demoEnv, reject: false });
    rows.push({ what: '`botctl status` on the local fleet, 7 bots (median)', botctl: ms(median(local)), baseline: '-', baselineWhat: '', compare: '', target: '<= 300 ms', met: median(local) <= 300 });
  } finally {
    for (const d of dirs) await execa('node', [BIN, 'stop', '--all'], { cwd: d.dir, env: d.env, reject: false });
    for (const s of sshds) await s.stop();
    await sim.stop();
  }
}
