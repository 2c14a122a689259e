import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSsh, type SshHost } from '../../src/remote/ssh.js';
import { startSshd, type TestSshd } from '../support/sshd.js';

let sshd: TestSshd;
let host: SshHost;

beforeAll(async () => {
  sshd = await startSshd();
  host = await connectSsh({ name: 'testvm', host: sshd.alias }, { configFile: sshd.sshConfig });
});
afterAll(async () => {
  await host?.close();
  await sshd?.stop();
});

describe('ssh host: commands', () => {
  it('returns exit codes, stdout and stderr of real commands', async () => {
    const r = await host.run(['sh', '-c', 'echo out; echo err >&2; exit 7']);
    expect(r).toMatchObject({ code: 7, stdout: 'out\n', stderr: 'err\n' });
    expect((await host.run(['true'])).code).toBe(0);
    expect((await host.run(['no-such-command-botctl'])).code).toBe(127);
  });

  it('runs as the configured user', async () => {
    expect((await host.run(['id', '-un'])).stdout.trim()).toBe(sshd.user);
  });

  it.each([
    ['; rm -rf / #'],
    ['$(id)'],
    ['`id`'],
    ['a\nb'],
    [`it's "quoted" \\ back`],
    ['*'],
    [''],
    ['--help'],
  ])('passes %j through the remote shell untouched', async (hostile) => {
    const r = await host.run(['printf', '%s|', hostile, 'x']);
    expect(r.stdout).toBe(`${hostile}|x|`);
  });

  it('feeds stdin and streams output as it comes', async () => {
    const chunks: string[] = [];
    const r = await host.run(['sh', '-c', 'cat; echo done'], { stdin: 'hello\n', onStdout: (c) => chunks.push(c.toString()) });
    expect(r.stdout).toBe('hello\ndone\n');
    expect(chunks.join('')).toBe('hello\ndone\n');
  });

  it('kills a command that outlives its timeout and says so', async () => {
    const started = Date.now();
    await expect(host.run(['sh', '-c', 'echo $$ > "$1"; exec sleep 30', 'sh', `${sshd.scratch}/sleeper.pid`], { timeoutMs: 300 })).rejects.toMatchObject({ code: 'E_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(5_000);
    // The command is gone from the VM, not merely abandoned by us.
    const pid = (await host.run(['cat', `${sshd.scratch}/sleeper.pid`])).stdout.trim();
    expect((await host.run(['kill', '-0', pid])).code).not.toBe(0);
    // The connection stays usable after a timed-out command.
    expect((await host.run(['echo', 'still here'])).stdout).toBe('still here\n');
  });

  it('reuses one connection for every command', async () => {
    const a = await host.run(['sh', '-c', 'echo $SSH_CONNECTION']);
    const b = await host.run(['sh', '-c', 'echo $SSH_CONNECTION']);
    expect(a.stdout.trim()).not.toBe('');
    expect(a.stdout).toBe(b.stdout);
  });
});

describe('ssh host: uploads', () => {
  it('uploads a file byte for byte', async () => {
    const local = path.join(mkdtempSync(path.join(os.tmpdir(), 'botctl-up-')), 'blob.bin');
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256));
    writeFileSync(local, bytes);
    const remote = `${sshd.scratch}/blob.bin`;
    await host.put(local, remote);
    const r = await host.run(['sha256sum', remote]);
    const { createHash } = await import('node:crypto');
    expect(r.stdout.split(' ')[0]).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('uploads a directory tree', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'botctl-tree-'));
    writeFileSync(path.join(dir, 'a.txt'), 'A');
    await import('node:fs').then((fs) => fs.mkdirSync(path.join(dir, 'sub', 'deep'), { recursive: true }));
    writeFileSync(path.join(dir, 'sub', 'deep', 'b.txt'), 'B');
    const remote = `${sshd.scratch}/tree`;
    await host.put(dir, remote);
    const r = await host.run(['sh', '-c', 'cd "$1" && find . -type f | sort && cat a.txt sub/deep/b.txt', 'sh', remote]);
    expect(r.stdout).toBe('./a.txt\n./sub/deep/b.txt\nAB');
  });

  it('creates missing parent directories of an upload', async () => {
    const local = path.join(mkdtempSync(path.join(os.tmpdir(), 'botctl-up-')), 'f');
    writeFileSync(local, 'x');
    await host.put(local, `${sshd.scratch}/new/parent/f`);
    expect((await host.run(['cat', `${sshd.scratch}/new/parent/f`])).stdout).toBe('x');
  });

  it('reports an upload the VM cannot write as E_REMOTE', async () => {
    const local = path.join(mkdtempSync(path.join(os.tmpdir(), 'botctl-up-')), 'f');
    writeFileSync(local, 'x');
    await expect(host.put(local, '/proc/botctl-nope/f')).rejects.toMatchObject({ code: 'E_REMOTE' });
  });
});

describe('ssh host: host keys and failures', () => {
  function configWith(knownHosts: string, extra = ''): string {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'botctl-cfg-')), 'ssh_config');
    const text = readFileSync(sshd.sshConfig, 'utf8').replace(/UserKnownHostsFile .*/, `UserKnownHostsFile ${knownHosts}`);
    writeFileSync(file, text + extra);
    return file;
  }

  it('refuses a host whose key is not in known_hosts', async () => {
    const empty = path.join(mkdtempSync(path.join(os.tmpdir(), 'botctl-kh-')), 'known_hosts');
    const err = await connectSsh({ name: 'testvm', host: sshd.alias }, { configFile: configWith(empty) }).catch((e) => e);
    expect(err.code).toBe('E_HOSTKEY_UNKNOWN');
    expect(err.message).toMatch(/SHA256:/);
    expect(err.hint).toMatch(/--accept-new-host-key/);
  });

  it('accepts a hashed known_hosts entry written by ssh-keygen -H', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'botctl-kh-'));
    const kh = path.join(dir, 'known_hosts');
    writeFileSync(kh, `[127.0.0.1]:${sshd.port} ssh-ed25519 ${sshd.hostKeys['ssh-ed25519']}\n`);
    const { execFileSync } = await import('node:child_process');
    execFileSync('ssh-keygen', ['-H', '-f', kh], { stdio: 'ignore' });
    expect(readFileSync(kh, 'utf8')).toMatch(/^\|1\|/);
    const h = await connectSsh({ name: 'testvm', host: sshd.alias }, { configFile: configWith(kh) });
    expect(h.hostKey).toMatchObject({ status: 'known', type: 'ssh-ed25519' });
    await h.close();
  });

  it('asks for the key type known_hosts holds when the server has several', async () => {
    const kh = path.join(mkdtempSync(path.join(os.tmpdir(), 'botctl-kh-')), 'known_hosts');
    writeFileSync(kh, `[127.0.0.1]:${sshd.port} ecdsa-sha2-nistp256 ${sshd.hostKeys['ecdsa-sha2-nistp256']}\n`);
    const h = await connectSsh({ name: 'testvm', host: sshd.alias }, { configFile: configWith(kh) });
    expect(h.hostKey.type).toBe('ecdsa-sha2-nistp256');
    await h.close();
  });

  it('refuses a changed host key loudly, naming the known_hosts line', async () => {
    const kh = path.join(mkdtempSync(path.join(os.tmpdir(), 'botctl-kh-')), 'known_hosts');
    const other = readFileSync(`${sshd.clientKey}.pub`, 'utf8').split(' ')[1];
    writeFileSync(kh, `[127.0.0.1]:${sshd.port} ssh-ed25519 ${other}\n`);
    const err = await connectSsh({ name: 'testvm', host: sshd.alias }, { configFile: configWith(kh) }).catch((e) => e);
    expect(err.code).toBe('E_HOSTKEY_CHANGED');
    expect(err.message).toContain('HOST KEY HAS CHANGED');
    expect(err.message).toContain(`${kh}:1`);
    expect(err.hint).toContain(`ssh-keygen -R '[127.0.0.1]:${sshd.port}' -f ${kh}`);
  });

  it('--accept-new-host-key records an unknown key, then it is known', async () => {
    const kh = path.join(mkdtempSync(path.join(os.tmpdir(), 'botctl-kh-')), 'known_hosts');
    const cfg = configWith(kh);
    const first = await connectSsh({ name: 'testvm', host: sshd.alias }, { configFile: cfg, acceptNewHostKey: true });
    expect(first.hostKey.status).toBe('accepted-new');
    await first.close();
    expect(readFileSync(kh, 'utf8')).toContain(`[127.0.0.1]:${sshd.port} `);
    const second = await connectSsh({ name: 'testvm', host: sshd.alias }, { configFile: cfg });
    expect(second.hostKey.status).toBe('known');
    await second.close();
  });

  it('--accept-new-host-key still refuses a changed key', async () => {
    const kh = path.join(mkdtempSync(path.join(os.tmpdir(), 'botctl-kh-')), 'known_hosts');
    const other = readFileSync(`${sshd.clientKey}.pub`, 'utf8').split(' ')[1];
    writeFileSync(kh, `[127.0.0.1]:${sshd.port} ssh-ed25519 ${other}\n`);
    const err = await connectSsh({ name: 'testvm', host: sshd.alias }, { configFile: configWith(kh), acceptNewHostKey: true }).catch((e) => e);
    expect(err.code).toBe('E_HOSTKEY_CHANGED');
    expect(readFileSync(kh, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('reports a refused login as E_AUTH', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'botctl-key-'));
    const { execFileSync } = await import('node:child_process');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'stranger')]);
    const cfg = configWith(sshd.knownHosts).replace(/$/, '');
    const text = readFileSync(cfg, 'utf8').replace(/IdentityFile .*/, `IdentityFile ${path.join(dir, 'stranger')}`);
    writeFileSync(cfg, text);
    const err = await connectSsh({ name: 'testvm', host: sshd.alias }, { configFile: cfg }).catch((e) => e);
    expect(err.code).toBe('E_AUTH');
    expect(err.message).toContain('stranger');
  });

  it('reports a closed port as E_UNREACHABLE', async () => {
    const err = await connectSsh({ name: 'x', host: '127.0.0.1', port: 1 }, { configFile: sshd.sshConfig }).catch((e) => e);
    expect(err.code).toBe('E_UNREACHABLE');
    expect(err.message).toMatch(/connection refused/);
  });

  it('reaches the VM through a ProxyJump hop', async () => {
    const cfg = configWith(sshd.knownHosts);
    appendFileSync(cfg, `\nHost jumped\n  HostName 127.0.0.1\n  ProxyJump ${sshd.alias}\n  Port ${sshd.port}\n  User ${sshd.user}\n  IdentityFile ${sshd.clientKey}\n  UserKnownHostsFile ${sshd.knownHosts}\n`);
    const h = await connectSsh({ name: 'jumped', host: 'jumped' }, { configFile: cfg });
    expect(h.target.proxyJump).toEqual([sshd.alias]);
    expect((await h.run(['sh', '-c', 'echo $SSH_CONNECTION'])).stdout).toMatch(/^127\.0\.0\.1 \d+ 127\.0\.0\.1 \d+/);
    await h.close();
  });
});
