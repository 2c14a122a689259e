import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemdQuote, unitFile, unitName } from '../../src/ops/systemd.js';

const bot = { name: 'barnacles', http: { connections: 50, retries: 3, timeoutMs: 1 } };

describe('systemd units', () => {
  it('is exactly this for a plain root', () => {
    expect(unitFile({ root: '/opt/bots' }, bot, '/usr/bin/node')).toBe(`[Unit]
Description=botctl bot barnacles
StartLimitIntervalSec=300
StartLimitBurst=5

[Service]
Type=exec
ExecStart=/usr/bin/node --max-semi-space-size=1 --v8-pool-size=1 --optimize-for-size /opt/bots/bots/barnacles/current/runtime/main.js /opt/bots/bots/barnacles/runtime.json
EnvironmentFile=/opt/bots/bots/barnacles/env
WorkingDirectory=/opt/bots/bots/barnacles
Restart=on-failure
RestartSec=5
RestartPreventExitStatus=2 75 78
TimeoutStopSec=20
StandardOutput=append:/opt/bots/logs/barnacles.log
StandardError=append:/opt/bots/logs/barnacles.log
LimitNOFILE=1024

[Install]
WantedBy=default.target
`);
    expect(unitName('barnacles')).toBe('botctl-barnacles.service');
  });

  it.each([
    ['plain/path', 'plain/path'],
    ['50%', '50%%'],
    ['a b', '"a b"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['$(id); rm -rf /', '"$(id); rm -rf /"'],
    ['back\\slash', '"back\\\\slash"'],
  ])('quotes %j for ExecStart as %s', (arg, quoted) => {
    expect(systemdQuote(arg)).toBe(quoted);
  });

  it('passes systemd-analyze verify with no warning', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'botctl-unit-'));
    const file = path.join(dir, unitName('barnacles'));
    writeFileSync(file, unitFile({ root: dir }, bot, process.execPath));
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', file], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('catches a broken unit the way the test above would (verify is not blind)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'botctl-unit-'));
    const file = path.join(dir, 'botctl-bad.service');
    writeFileSync(file, unitFile({ root: dir }, bot, process.execPath).replace('ExecStart=', 'ExecStart=relative/'));
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', file], { encoding: 'utf8' });
    expect(r.status !== 0 || r.stderr !== '').toBe(true);
  });

  it('refuses a root it cannot write into a unit safely', () => {
    expect(() => unitFile({ root: '/opt/my bots' }, bot, '/usr/bin/node')).toThrow(/cannot name .* safely/);
  });
});
