import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BotctlError } from '../../src/errors.js';
import { loadFleet } from '../../src/fleet/load.js';
import { parseFleet } from '../../src/fleet/parse.js';

const repo = path.resolve(__dirname, '../..');

/** A fleet file in a fresh directory with the example bots beside it. */
function fleetDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'botctl-fleet-'));
  mkdirSync(path.join(dir, 'bots'));
  copyFileSync(path.join(repo, 'bots/echo.ts'), path.join(dir, 'bots/echo.ts'));
  return dir;
}

function problems(text: string): string[] {
  const dir = fleetDir();
  try {
    parseFleet(text, path.join(dir, 'fleet.yaml'));
  } catch (err) {
    expect(err).toBeInstanceOf(BotctlError);
    expect((err as BotctlError).code).toBe('E_CONFIG');
    return (err as BotctlError).details.map((l) => l.replace(/^.*fleet\.yaml:/, 'fleet.yaml:'));
  }
  throw new Error('expected the fleet to be refused');
}

const MINIMAL = `vms:
  local: { host: local, root: .botctl }
bots:
  echo: { vm: local, platform: webex, entry: bots/echo.ts, token: env:T }
`;

describe('loading fleet.yaml', () => {
  it("loads the repository's fleet: seven bots on the local VM", async () => {
    const fleet = await loadFleet(path.join(repo, 'fleet.yaml'));
    expect(Object.keys(fleet.bots)).toEqual(['jarvis', 'tars', 'barnacles', 'money_ball', 'toodles', 'msoar', 'jarvis-tg']);
    expect(fleet.vms.local).toMatchObject({ local: true, root: path.join(repo, '.botctl/local'), supervisor: 'process' });
    expect(fleet.bots['jarvis-tg']!.platform).toBe('telegram');
  });

  it('loads the example VM fleet with its legacy bot', async () => {
    const fleet = await loadFleet(path.join(repo, 'fleet.example-vm.yaml'));
    expect(fleet.vms['lab-vm']).toMatchObject({ host: 'lab-vm', user: 'botops', root: '/opt/bots', supervisor: 'systemd', local: false });
    expect(fleet.bots['toodles-py']).toMatchObject({ kind: 'legacy', legacy: { preset: 'webex-python' }, dependencies: {} });
    expect(fleet.bots['jarvis-tg']!.token).toEqual({ kind: 'file', ref: path.join(repo, 'secrets/telegram-jarvis.token') });
  });

  it('applies built-in defaults, then fleet defaults, then the bot, key by key', () => {
    const dir = fleetDir();
    const fleet = parseFleet(
      `vms:\n  local: { host: local, root: .botctl }\ndefaults:\n  http: { connections: 20 }\n  dependencies: { ws: 8.17.0 }\nbots:\n  echo:\n    vm: local\n    platform: webex\n    entry: bots/echo.ts\n    token: env:T\n    http: { timeout: 250ms }\n    dependencies: { ws: 8.18.0 }\n`,
      path.join(dir, 'fleet.yaml'),
    );
    expect(fleet.bots.echo!.http).toEqual({ connections: 20, retries: 3, timeoutMs: 250 });
    expect(fleet.bots.echo!.dependencies).toEqual({ ws: '8.18.0', undici: '7.16.0' });
    expect(fleet.bots.echo!.websocket).toEqual({ pingIntervalMs: 10_000, pingTimeoutMs: 5_000, maxConnectionAgeMs: 43_200_000 });
    expect(fleet.bots.echo!.token).toEqual({ kind: 'env', ref: 'T' });
    expect(fleet.bots.echo!.entry).toBe(path.join(dir, 'bots/echo.ts'));
  });

  it('reports every problem at once, schema and named checks together, in file order, each with line, column and path', async () => {
    const dir = fleetDir();
    copyFileSync(path.join(repo, 'test/fixtures/broken.yaml'), path.join(dir, 'fleet.yaml'));
    const err = (await loadFleet(path.join(dir, 'fleet.yaml')).catch((e) => e)) as BotctlError;
    const lines = err!.details.map((l) => l.replace(/^.*fleet\.yaml:/, 'fleet.yaml:').replace(dir, '<dir>'));
    expect(lines).toEqual([
      'fleet.yaml:4:11 vms.lab-vm.root: the root of a remote VM must be an absolute path',
      'fleet.yaml:5:5 vms.lab-vm.supervisr: unknown key "supervisr"',
      'fleet.yaml:6:3 vms.Bad_VM: "Bad_VM" is not a valid name: names use a-z, 0-9, "_" and "-", start with a letter or digit, at most 63 characters',
      'fleet.yaml:10:24 defaults.http.connections: Too small: expected number to be >=1',
      'fleet.yaml:10:36 defaults.http.timeout: "2 minutes" is not a duration: write a number and a unit (ms, s, m, h, d), e.g. 250ms, 10s, 2m, 12h',
      'fleet.yaml:19:15 bots.tars.platform: Invalid option: expected one of "webex"|"telegram"',
      'fleet.yaml:20:12 bots.tars.entry: <dir>/bots/missing.ts does not exist',
      'fleet.yaml:21:12 bots.tars.token: a secret is given by reference, never by value: env:NAME or file:path',
      'fleet.yaml:22:3 bots.jarvis: duplicate name: each key may appear once in a map',
    ]);
    expect(err!.message).toMatch(/has 9 problems; nothing was run/);
    // The secret-looking literal is never echoed back.
    expect(err!.details.join('\n')).not.toContain('abc123-literal-token');
  });

  it.each([
    ['a bot on an undefined VM', MINIMAL.replace('vm: local', 'vm: lab'), 'fleet.yaml:4:15 bots.echo.vm: no VM named "lab" (defined: local)'],
    ['a name outside [a-z0-9_-]', MINIMAL.replace('  echo:', '  Echo.Bot:'), 'fleet.yaml:4:3 bots.Echo.Bot: "Echo.Bot" is not a valid name: names use a-z, 0-9, "_" and "-", start with a letter or digit, at most 63 characters'],
    ['a missing entry file', MINIMAL.replace('bots/echo.ts', 'bots/nope.ts'), expect.stringMatching(/^fleet\.yaml:4:46 bots\.echo\.entry: .*bots\/nope\.ts does not exist$/)],
    ['a relative root on a remote VM', MINIMAL.replace('host: local, root: .botctl', 'host: lab-vm, root: opt'), 'fleet.yaml:2:32 vms.local.root: the root of a remote VM must be an absolute path'],
    ['a version range', MINIMAL.replace('token: env:T }', 'token: env:T, dependencies: { ws: ^8.0.0 } }'), 'fleet.yaml:4:94 bots.echo.dependencies.ws: expected an exact version such as 8.18.3 (no ranges)'],
    ['a bot with neither entry nor legacy', MINIMAL.replace('entry: bots/echo.ts, ', ''), 'fleet.yaml:4:9 bots.echo: missing entry (the bot module), or legacy: { log, preset } for a bot botctl only audits'],
    ['a missing top-level section', 'vms: {}\n', 'fleet.yaml:1:1 bots: missing (expected record)'],
    ['YAML that does not parse', 'vms: [\n', expect.stringMatching(/^fleet\.yaml:2:1 \S+: /)],
  ])('refuses %s', (_what, text, line) => {
    expect(problems(text)).toContainEqual(line);
  });

  it.each([
    ['a number where a duration goes', MINIMAL.replace('token: env:T }', 'token: env:T, websocket: { pingInterval: 10 } }'), 'fleet.yaml:4:101 bots.echo.websocket.pingInterval: 10 has no unit: write a unit, e.g. 10s (units: ms, s, m, h, d)'],
    ['a YAML number where a version goes', MINIMAL.replace('token: env:T }', 'token: env:T, dependencies: { ws: 14.2 } }'), 'fleet.yaml:4:94 bots.echo.dependencies.ws: 14.2 is read as a number: quote the version and give all three parts, e.g. "14.2.0"'],
  ])('explains %s', (_what, text, line) => {
    expect(problems(text)).toEqual([line]);
  });

  it('reports a schema error and an undefined VM in the same run', () => {
    expect(problems(MINIMAL.replace('vm: local', 'vm: lcoal').replace('platform: webex', 'platform: slack'))).toEqual([
      'fleet.yaml:4:15 bots.echo.vm: no VM named "lcoal" (defined: local)',
      'fleet.yaml:4:32 bots.echo.platform: Invalid option: expected one of "webex"|"telegram"',
    ]);
  });

  const BLOCK = `vms:
  local: { host: local, root: .botctl }
bots:
  jarvis:
    vm: lcoal
    platform: webex
    entry: bots/echo.ts
    token: env:A
  tars:
    vm: local
    platform: webex
    entry: bots/echo.ts
    token: env:B
`;

  it.each([
    ['a setting one level out, at the end of its bot (YAML reads it as a bot)', BLOCK.replace('    platform: webex\n    entry: bots/echo.ts\n    token: env:B\n', '    entry: bots/echo.ts\n    token: env:B\n  platform: webex\n'),
      'fleet.yaml:13:3 bots.platform: "platform" is a setting of a bot, but here it stands among the bots as if it were a bot\'s name: indent it one level deeper, under tars'],
    ['a setting one level out, amid its bot', BLOCK.replace('    platform: webex\n    entry: bots/echo.ts\n    token: env:B', '  platform: webex\n    entry: bots/echo.ts\n    token: env:B'),
      'fleet.yaml:11:3 bots.tars.platform: "platform" is at column 3, out of line with "vm" above it (column 5), so YAML reads it as a key of bots: indent it to column 5'],
    ['a setting one space out', BLOCK.replace('    platform: webex\n    entry: bots/echo.ts\n    token: env:B', '   platform: webex\n    entry: bots/echo.ts\n    token: env:B'),
      'fleet.yaml:11:4 bots.tars.platform: "platform" is at column 4, out of line with "vm" above it (column 5): indent it to column 5'],
    ['a setting one level in', BLOCK.replace('    platform: webex\n    entry: bots/echo.ts\n    token: env:B', '      platform: webex\n    entry: bots/echo.ts\n    token: env:B'),
      'fleet.yaml:11:7 bots.tars.platform: "platform" is at column 7, out of line with "vm" above it (column 5): indent it to column 5'],
  ])('names the key and where it landed, once, for %s; and still reports the rest', (_what, text, line) => {
    expect(problems(text)).toEqual(['fleet.yaml:5:9 bots.jarvis.vm: no VM named "lcoal" (defined: local)', line]);
  });

  it('names the file and what to do when it is missing', async () => {
    const err = (await loadFleet('/nonexistent/fleet.yaml').catch((e) => e)) as BotctlError;
    expect(err).toMatchObject({ code: 'E_CONFIG', message: 'no fleet file at /nonexistent/fleet.yaml' });
    expect(err!.hint).toContain('botctl init');
  });

  it('reads an unchanged fleet back from its cache, and revalidates a changed one', async () => {
    const dir = fleetDir();
    const file = path.join(dir, 'fleet.yaml');
    writeFileSync(file, MINIMAL);
    const first = await loadFleet(file);
    expect(readdirSync(path.join(dir, '.botctl/cache')).filter((f) => f.startsWith('fleet-'))).toHaveLength(1);
    expect(await loadFleet(file)).toEqual(first);
    writeFileSync(file, MINIMAL.replace('vm: local', 'vm: nowhere'));
    expect(await loadFleet(file).catch((e) => e.code)).toBe('E_CONFIG');
    // A deleted entry file is noticed even though the fleet text is cached.
    writeFileSync(file, MINIMAL);
    rmSync(path.join(dir, 'bots/echo.ts'));
    expect(await loadFleet(file).catch((e) => e.code)).toBe('E_CONFIG');
  });

  it('keeps secrets as references in the resolved fleet', async () => {
    const dir = fleetDir();
    writeFileSync(path.join(dir, 'fleet.yaml'), MINIMAL.replace('env:T', 'file:secrets/t'));
    expect((await loadFleet(path.join(dir, 'fleet.yaml'))).bots.echo!.token).toEqual({ kind: 'file', ref: path.join(dir, 'secrets/t') });
  });
});
