import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** A real OpenSSH server on 127.0.0.1 with its own keys, config, user and known_hosts. */
export interface TestSshd {
  port: number;
  user: string;
  dir: string;
  /** Private key the test user accepts. */
  clientKey: string;
  /** known_hosts holding this server's keys as `[127.0.0.1]:PORT`. */
  knownHosts: string;
  /** An ssh_config with `Host testvm` pointing here (IdentityFile, UserKnownHostsFile set). */
  sshConfig: string;
  alias: string;
  /** Host public keys, "type base64" per key type. */
  hostKeys: Record<string, string>;
  /** A directory the test user may write to. */
  scratch: string;
  stop(): Promise<void>;
}

// sshd with UsePAM no refuses a "locked" account (password "!"); "*" means no password but usable.
const TEST_USER = 'botctl-test';

function ensureUser(): string {
  if (process.getuid?.() !== 0) return os.userInfo().username;
  try {
    execFileSync('id', ['-u', TEST_USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['-m', '-s', '/bin/sh', TEST_USER]);
  }
  execFileSync('usermod', ['-p', '*', TEST_USER]);
  return TEST_USER;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function keygen(file: string, type: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', 'botctl-test', '-f', file]);
}

/** Starts sshd and resolves once it says it is listening (deadline 10 s). */
export async function startSshd(opts: { extraConfig?: string } = {}): Promise<TestSshd> {
  const user = ensureUser();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'botctl-sshd-'));
  chmodSync(dir, 0o755);
  if (process.getuid?.() === 0) execFileSync('mkdir', ['-p', '/run/sshd']);
  const hostKeys: Record<string, string> = {};
  for (const type of ['ed25519', 'ecdsa']) {
    keygen(path.join(dir, `host_${type}`), type);
    const [t, b64] = readFileSync(path.join(dir, `host_${type}.pub`), 'utf8').split(' ');
    hostKeys[t!] = b64!;
  }
  const clientKey = path.join(dir, 'client_ed25519');
  keygen(clientKey, 'ed25519');
  writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(`${clientKey}.pub`), { mode: 0o644 });
  chmodSync(path.join(dir, 'authorized_keys'), 0o644);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'botctl-vm-'));
  chmodSync(scratch, 0o777);

  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      'ListenAddress 127.0.0.1',
      `Port ${port}`,
      `HostKey ${dir}/host_ed25519`,
      `HostKey ${dir}/host_ecdsa`,
      `PidFile ${dir}/sshd.pid`,
      `AuthorizedKeysFile ${dir}/authorized_keys`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'Subsystem sftp internal-sftp',
      `AllowUsers ${user}`,
      'MaxSessions 64',
      'MaxStartups 64:30:128',
      'LogLevel INFO',
      opts.extraConfig ?? '',
    ].join('\n'),
  );
  const knownHosts = path.join(dir, 'known_hosts');
  writeFileSync(knownHosts, Object.entries(hostKeys).map(([t, k]) => `[127.0.0.1]:${port} ${t} ${k}\n`).join(''));
  const alias = 'testvm';
  const sshConfig = path.join(dir, 'ssh_config');
  writeFileSync(
    sshConfig,
    [
      `Host ${alias}`,
      '  HostName 127.0.0.1',
      `  Port ${port}`,
      `  User ${user}`,
      `  IdentityFile ${clientKey}`,
      '  IdentitiesOnly yes',
      '  IdentityAgent none',
      `  UserKnownHostsFile ${knownHosts}`,
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
      '',
    ].join('\n'),
  );

  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  await waitListening(child, port);
  return {
    port, user, dir, clientKey, knownHosts, sshConfig, alias, hostKeys, scratch,
    async stop() {
      // Whatever still runs from this VM's scratch (a bot a failed test left) goes with it.
      killUnder(scratch);
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** SIGKILLs every process whose command line names a path under `dir`. */
export function killUnder(dir: string): void {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`${dir}/`)) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
}

function waitListening(child: ChildProcess, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => fail(new Error(`sshd did not listen on ${port} within 10 s:\n${log}`)), 10_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    };
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes(`Server listening on 127.0.0.1 port ${port}`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => fail(new Error(`sshd exited (${code}) before listening:\n${log}`)));
  });
}
