import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { botctl, fleetDir, REPO } from '../support/cli.js';

describe('botctl CLI', () => {
  it.each(['up', 'down', 'say', 'status', 'deploy', 'start', 'stop', 'logs', 'history', 'doctor', 'config', 'init', 'build', 'sim'])('%s --help shows real examples', async (cmd) => {
    const r = await botctl([cmd, '--help']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Examples:\\n  botctl ${cmd}`));
  });

  it('lists every command and the exit codes in --help', async () => {
    const r = await botctl(['--help']);
    expect(r.stdout).toMatch(/doctor[\s\S]*config[\s\S]*init/);
    expect(r.stdout).toContain('4 a lock is held');
  });

  it('exits 2 on an unknown command or flag', async () => {
    expect((await botctl(['frobnicate'])).exitCode).toBe(2);
    expect((await botctl(['doctor', '--bogus'])).exitCode).toBe(2);
  });

  it('refuses an unknown command with the list of commands, even with --help after it', async () => {
    for (const args of [['canary', '--help'], ['--file', 'fleet.yaml', 'restart', '--all']]) {
      const r = await botctl(args);
      expect(r.exitCode).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^error \[E_USAGE\] unknown command "(canary|restart)"/);
      expect(r.stderr).toMatch(/\nhint: commands: up, down, say, status, deploy, start, stop, logs, history, lock, doctor, config, init, build, sim; /);
    }
    expect((await botctl(['restart'])).stderr).toContain('(did you mean start?)');
  });

  it.each([
    ['logs', 'tars', '-n', 'abc'], ['logs', 'tars', '-n', '0'], ['logs', 'tars', '-n', '-5'], ['logs', 'tars', '-n', '2.5'], ['history', '-n', 'abc'],
  ])('refuses a count that is not a positive whole number: %s %s %s %s', async (...args) => {
    const r = await botctl(args);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/expected a whole number of at least 1/);
  });

  it('offers --ready-timeout only where bots are started', async () => {
    for (const cmd of ['stop', 'down']) expect((await botctl([cmd, '--help'])).stdout).not.toContain('--ready-timeout');
    for (const cmd of ['start', 'deploy', 'up']) expect((await botctl([cmd, '--help'])).stdout).toContain('--ready-timeout');
  });

  it('config --file broken.yaml lists every problem with line:col, exits 2, prints nothing else', async () => {
    const r = await botctl(['config', '--file', 'test/fixtures/broken.yaml']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => /^test\/fixtures\/broken\.yaml:\d+:\d+ \S+: /.test(l))).toHaveLength(10);
    expect(lines.at(-2)).toBe('error [E_CONFIG] test/fixtures/broken.yaml has 10 problems; nothing was run');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints a stack trace only with --verbose', async () => {
    const r = await botctl(['config', '--file', 'test/fixtures/broken.yaml', '--verbose']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it('config prints the resolved fleet as tables within 100 columns, --wide in full, and JSON with --json', async () => {
    const table = await botctl(['config']);
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toMatch(/│ barnacles +│ local +│ webex +│ bots\/echo\.ts +│ env:WEBEX_TOKEN_BARNACLES +│ 8\.17\.1 \/ 7\.16\.0 │/);
    // What differs from the other bots is said once, below the table.
    expect(table.stdout).toMatch(/\n {2}toodles +websocket\.maxConnectionAge 10m\n {2}msoar +http\.timeout 3m\n?$/);
    expect(Math.max(...table.stdout.split('\n').map((l) => l.length))).toBeLessThanOrEqual(100);
    // One rule under the header, none between rows.
    expect(table.stdout.split('\n').filter((l) => l.startsWith('├'))).toHaveLength(2);
    const wide = await botctl(['config', '--wide']);
    expect(wide.stdout).toMatch(/│ msoar .*│ 50 +│ 3 +│ 3m +│ 10s +│ 5s +│ 12h +│ 15s +│ 1m +│ 1 +│ 30s +│/);
    const json = JSON.parse((await botctl(['config', '--json'])).stdout);
    expect(json.bots.barnacles).toMatchObject({ token: 'env:WEBEX_TOKEN_BARNACLES', dependencies: { ws: '8.17.1', undici: '7.16.0' } });
    expect(json.bots.msoar.http.timeoutMs).toBe(180_000);
  });

  it('selects the fleet file with BOTCTL_FLEET', async () => {
    const r = await botctl(['config', '--json'], { env: { BOTCTL_FLEET: 'fleet.example-vm.yaml' } });
    expect(Object.keys(JSON.parse(r.stdout).vms)).toEqual(['lab-vm']);
  });

  it('colours nothing with NO_COLOR, even when colour is forced', async () => {
    const r = await botctl(['config'], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });

  it('init writes a starter fleet that validates, and never overwrites it', async () => {
    const dir = fleetDir('');
    const file = path.join(dir, 'new', 'fleet.yaml');
    await import('node:fs').then((fs) => fs.mkdirSync(path.dirname(file)));
    const first = await botctl(['init', '--file', file]);
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toContain('wrote');
    const written = readFileSync(file, 'utf8');
    const again = await botctl(['init', '--file', file]);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain('already exists; nothing was written');
    expect(readFileSync(file, 'utf8')).toBe(written);
    // The starter's bot imports botctl/runtime; the file it names exists, so the fleet validates.
    expect((await botctl(['config', '--file', file])).exitCode).toBe(0);
  });

  it('refuses an unknown VM in one line with exit 2', async () => {
    const r = await botctl(['doctor', '--vm', 'nope']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('error [E_USAGE] no VM named "nope" in fleet.yaml\nhint: VMs: local');
  });

  it('doctor checks the built-in local fleet', async () => {
    const r = await botctl(['doctor']);
    expect(r.exitCode).toBe(0);
    for (const check of ['node', 'root', 'disk', 'open files', 'clock', 'supervisor']) expect(r.stdout).toContain(check);
  });

  it('keeps the JSON Schema in step with the zod schema', async () => {
    const { fleetJsonSchema } = await import('../../src/fleet/jsonSchema.js');
    expect(JSON.parse(readFileSync(path.join(REPO, 'fleet.schema.json'), 'utf8'))).toEqual(fleetJsonSchema());
  });
});
