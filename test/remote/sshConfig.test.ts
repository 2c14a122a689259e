import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJump, resolveSsh } from '../../src/remote/sshConfig.js';

// The same configuration read by OpenSSH (`ssh -G`) and by botctl's own reader must agree.
function configTree(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'botctl-sshcfg-'));
  mkdirSync(path.join(dir, 'conf.d'));
  writeFileSync(path.join(dir, 'conf.d', '10-lab.conf'), 'Host lab-vm\n  HostName 10.20.0.5\n  ProxyJump jump@bastion:2200\n');
  writeFileSync(
    path.join(dir, 'config'),
    [
      `Include ${dir}/conf.d/*.conf`,
      'Host lab-*',
      '  User botops',
      '  Port 2222',
      '  IdentityFile ~/.ssh/id_%h',
      `  UserKnownHostsFile ${dir}/known_hosts`,
      'Host *',
      '  ConnectTimeout 7',
      '  ServerAliveInterval 20',
      '',
    ].join('\n'),
  );
  return path.join(dir, 'config');
}

describe.each(['ssh', 'builtin'] as const)('ssh config through the %s resolver', (resolver) => {
  it('follows Include, Host patterns, HostName, User, Port, IdentityFile, ProxyJump', async () => {
    const configFile = configTree();
    const t = await resolveSsh('lab-vm', { configFile, resolver, env: {} });
    expect(t).toMatchObject({
      hostname: '10.20.0.5',
      port: 2222,
      user: 'botops',
      identityFiles: [path.join(os.userInfo().homedir, '.ssh/id_10.20.0.5')],
      proxyJump: ['jump@bastion:2200'],
      userKnownHostsFiles: [path.join(path.dirname(configFile), 'known_hosts')],
      connectTimeoutMs: 7_000,
      serverAliveIntervalMs: 20_000,
    });
    expect(t.source).toBe(resolver === 'ssh' ? 'ssh -G' : 'builtin');
  });

  it('lets fleet.yaml user and port win over the file, like ssh -l / -p', async () => {
    const t = await resolveSsh('lab-vm', { configFile: configTree(), resolver, user: 'deploy', port: 22, env: {} });
    expect(t).toMatchObject({ user: 'deploy', port: 22, hostname: '10.20.0.5' });
  });

  it('uses the name itself for a host the file does not mention', async () => {
    const t = await resolveSsh('plain.example.com', { configFile: configTree(), resolver, env: {} });
    expect(t).toMatchObject({ hostname: 'plain.example.com', port: 22, proxyJump: [] });
  });
});

describe('resolveSsh', () => {
  it('refuses a host name that would read as an ssh option', async () => {
    await expect(resolveSsh('-oProxyCommand=id', { resolver: 'ssh' })).rejects.toMatchObject({ code: 'E_CONFIG' });
  });

  it.each([
    ['bastion', { host: 'bastion' }],
    ['jump@bastion:2200', { user: 'jump', host: 'bastion', port: 2200 }],
    ['ssh://ops@[fe80::1]:22', { user: 'ops', host: 'fe80::1', port: 22 }],
  ])('reads the ProxyJump hop %s', (hop, expected) => {
    expect(parseJump(hop)).toEqual(expected);
  });
});
