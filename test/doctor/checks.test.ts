import { describe, expect, it } from 'vitest';
import { judge } from '../../src/doctor/checks.js';
import { parseProbe, probeCommand } from '../../src/doctor/probe.js';
import { AGENT_PROTOCOL } from '../../src/agent/protocol.js';
import type { Bot, Vm } from '../../src/fleet/types.js';

const vm: Vm = { name: 'lab-vm', host: 'lab-vm', local: false, root: '/opt/bots', supervisor: 'systemd', keepReleases: 5 };
const bot = (name: string, connections = 50): Bot => ({
  name, vm: 'lab-vm', platform: 'webex', kind: 'runtime', dependencies: {},
  http: { connections, retries: 3, timeoutMs: 1000 },
  websocket: { pingIntervalMs: 1, pingTimeoutMs: 1, maxConnectionAgeMs: 2 },
  catchUp: { sweepIntervalMs: 15_000, quietMs: 60_000 },
  audit: { timeoutsPerHour: 1, reconnectionMaxMs: 1 },
});
const six = ['jarvis', 'tars', 'barnacles', 'money_ball', 'toodles', 'msoar'].map((n) => bot(n));
const good = parseProbe(`node_path=/usr/bin/node\nnode_version=v20.20.2\nroot_exists=yes\nroot_nearest=/opt/bots\nroot_writable=yes\ndisk_free_kb=9000000\nnofile=4096\nuser=bots\nlinger=yes\nsystemd=yes\nuser_manager=running\nagent={"protocol":${AGENT_PROTOCOL},"ok":true}\ntime=1700000000.123456789\n`);

const verdict = (checks: ReturnType<typeof judge>, name: string) => checks.find((c) => c.check === name)!;

describe('doctor probe', () => {
  it('is one fixed script with the root and node path as arguments', () => {
    const argv = probeCommand("/opt/b'ots; rm -rf /", '/usr/bin/node');
    expect(argv.slice(0, 2)).toEqual(['sh', '-c']);
    expect(argv.slice(3)).toEqual(['sh', "/opt/b'ots; rm -rf /", '/usr/bin/node']);
    expect(argv[2]).not.toContain('rm -rf');
  });

  it('parses what the script prints', () => {
    expect(good).toEqual({
      nodePath: '/usr/bin/node', nodeVersion: 'v20.20.2', rootExists: true, rootNearest: '/opt/bots', rootWritable: true,
      diskFreeKb: 9_000_000, nofile: 4096, systemd: true, user: 'bots', linger: true, userManager: 'running', agentProtocol: AGENT_PROTOCOL, timeMs: 1_700_000_000_123,
    });
    expect(parseProbe('nofile=unlimited\nagent=node: not found\ntime=1700000000.N\n')).toEqual({ rootExists: false, rootWritable: false, systemd: false, linger: false, nofile: null, timeMs: 1_700_000_000_000 });
  });
});

describe('doctor verdicts', () => {
  it('passes a healthy VM', () => {
    expect(judge(vm, six, good, 40).map((c) => c.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
  });

  it.each([
    [{ nodePath: undefined, nodeVersion: undefined }, 'node', 'fail', /non-interactive shell/],
    [{ nodeVersion: 'v18.19.0' }, 'node', 'fail', /needs node >= 20/],
    [{ rootExists: false, rootWritable: false, rootNearest: '/opt' }, 'root', 'fail', /\/opt is not writable/],
    [{ rootExists: false, rootWritable: true, rootNearest: '/opt' }, 'root', 'ok', /deploy can create it/],
    [{ diskFreeKb: 100_000 }, 'disk', 'fail', /0\.1 GiB free/],
    [{ nofile: 64 }, 'open files', 'fail', /64 < 82/],
    [{ nofile: 256 }, 'open files', 'warn', /256 < 492 for all bots \(6 bots: pools 300/],
    [{ systemd: false }, 'supervisor', 'fail', /systemctl is absent/],
    [{ userManager: 'offline' }, 'supervisor', 'fail', /bots's systemd manager is offline: `sudo loginctl enable-linger bots` starts it/],
    [{ userManager: undefined }, 'supervisor', 'fail', /manager is not reachable/],
    [{ linger: false }, 'supervisor', 'fail', /lingering is off for bots: its bots would stop with the last SSH session/],
    [{ userManager: 'degraded' }, 'supervisor', 'ok', /manager degraded, lingering on/],
    [{ agentProtocol: undefined }, 'agent', 'ok', /not installed yet: the first command installs \/opt\/bots\/botctl\/agent.mjs/],
    [{ agentProtocol: AGENT_PROTOCOL - 1 }, 'agent', 'ok', new RegExp(`protocol ${AGENT_PROTOCOL - 1}, not ${AGENT_PROTOCOL}: the next command replaces it`)],
  ])('judges %o as %s %s', (facts, check, status, detail) => {
    const c = verdict(judge(vm, six, { ...good, ...facts }, 0), check);
    expect(c.status).toBe(status);
    expect(c.detail).toMatch(detail);
  });

  it.each([
    [500, 'ok'],
    [-3_000, 'warn'],
    [90_000, 'fail'],
  ])('judges a clock %d ms off as %s', (skew, status) => {
    expect(verdict(judge(vm, six, good, skew), 'clock').status).toBe(status);
  });

  it('warns that the process supervisor does not restart crashed bots on a VM', () => {
    expect(verdict(judge({ ...vm, supervisor: 'process' }, six, good, 0), 'supervisor')).toMatchObject({ status: 'warn' });
  });
});
