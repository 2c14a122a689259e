import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type TestSshd } from '../support/sshd.js';
import { botctl, fleetDir } from '../support/cli.js';

let sshd: TestSshd;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  sshd = await startSshd();
  dir = fleetDir(`vms:
  testvm:
    host: ${sshd.alias}
    root: ${sshd.scratch}/root
    supervisor: process
  down:
    host: 127.0.0.1
    port: 1
    root: /opt/bots
bots:
  jarvis: { vm: testvm, platform: webex, entry: bots/status.ts, token: env:WEBEX_TOKEN_JARVIS }
  tars: { vm: testvm, platform: webex, entry: bots/echo.ts, token: env:WEBEX_TOKEN_TARS, http: { connections: 20 } }
`);
  env = { BOTCTL_SSH_CONFIG: sshd.sshConfig };
});
afterAll(async () => {
  await sshd?.stop();
});

describe('botctl doctor over SSH', () => {
  it('prints every check for a VM reached through an ~/.ssh/config alias', async () => {
    const r = await botctl(['doctor', '--vm', 'testvm'], { cwd: dir, env });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    for (const check of ['reachable', 'host key', 'authenticated', 'node', 'root', 'disk', 'open files', 'clock', 'supervisor', 'agent']) {
      expect(r.stdout).toMatch(new RegExp(`│ ${check} +│ (ok|warn) `));
    }
    expect(r.stdout).toContain(`${sshd.user}@127.0.0.1:${sshd.port}`);
    expect(r.stdout).toMatch(/ssh-ed25519 SHA256:/);
    expect(r.stdout).toMatch(/pools 70 \+ 2x32/);
  });

  it('answers in JSON for scripts', async () => {
    const r = await botctl(['doctor', '--vm', 'testvm', '--json'], { cwd: dir, env });
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(true);
    expect(out.vms[0].checks.map((c: { check: string }) => c.check)).toEqual([
      'reachable', 'host key', 'authenticated', 'node', 'root', 'disk', 'open files', 'clock', 'supervisor', 'agent',
    ]);
  });

  it('exits 1 and says which VM failed when one is unreachable, still checking the others', async () => {
    const r = await botctl(['doctor'], { cwd: dir, env });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/│ down +│ reachable +│ FAIL +│ cannot reach/);
    expect(r.stdout).toMatch(/│ testvm +│ reachable +│ ok/);
    expect(r.stderr).toMatch(/^error \[E_CHECK\] 1 check failed \(down: reachable\)/);
  });

  it('refuses an unknown host key, and records it with --accept-new-host-key', async () => {
    const empty = path.join(sshd.dir, 'empty_known_hosts');
    writeFileSync(empty, '');
    const cfg = path.join(sshd.dir, 'ssh_config_empty_kh');
    const { readFileSync } = await import('node:fs');
    writeFileSync(cfg, readFileSync(sshd.sshConfig, 'utf8').replace(/UserKnownHostsFile .*/, `UserKnownHostsFile ${empty}`));
    const refused = await botctl(['doctor', '--vm', 'testvm'], { cwd: dir, env: { BOTCTL_SSH_CONFIG: cfg } });
    expect(refused.exitCode).toBe(1);
    expect(refused.stdout).toMatch(/host key +│ FAIL +│ host key of \[127\.0\.0\.1\]:\d+ is not in known_hosts/);
    const accepted = await botctl(['doctor', '--vm', 'testvm', '--accept-new-host-key'], { cwd: dir, env: { BOTCTL_SSH_CONFIG: cfg } });
    expect(accepted.exitCode).toBe(0);
    expect(accepted.stdout).toContain('(new: recorded in known_hosts)');
    expect(readFileSync(empty, 'utf8')).toMatch(/^\[127\.0\.0\.1\]:\d+ /);
  });
});
