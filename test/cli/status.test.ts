import net from 'node:net';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botctl, fleetDir } from '../support/cli.js';

// A port that accepts TCP and hangs up at once: the VM is "there" but never speaks SSH.
let server: net.Server;
let connections = 0;
let port = 0;

beforeAll(async () => {
  server = net.createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('botctl status on a VM that does not answer', () => {
  it('says unreachable, exits 3, and tries the VM once, not once per step', async () => {
    const dir = fleetDir(`vms:\n  gone: { host: 127.0.0.1, port: ${port}, root: /tmp/botctl-gone, supervisor: process }\nbots:\n  jarvis: { vm: gone, platform: webex, entry: bots/echo.ts, token: env:T }\n`);
    const sshConfig = path.join(dir, 'ssh_config');
    writeFileSync(sshConfig, 'Host *\n  BatchMode yes\n');
    const r = await botctl(['status'], { cwd: dir, env: { BOTCTL_SSH_CONFIG: sshConfig } });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toMatch(/│ jarvis +│ gone +│ unreachable /);
    expect(r.stderr).toMatch(/^error \[E_UNREACHABLE\] cannot reach gone: /m);
    expect(connections).toBe(1);
  });
});
