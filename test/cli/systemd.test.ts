import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebexSim } from '../../src/sim/webex/sim.js';
import { waitFor } from '../support/bots.js';
import { botctl, fleetDir, settle } from '../support/cli.js';
import { startSshd, type TestSshd } from '../support/sshd.js';
import { startUserManager, type UserManager } from '../support/systemdUser.js';

// supervisor: systemd end to end: botctl over a real sshd drives a real `systemd --user`
// manager, which runs the bots as units (see test/support/systemdUser.ts for how it runs here).
const SECRETS = { TOKEN_SD_ONE: 'secret-sd-one-91ce02', TOKEN_SD_TWO: 'secret-sd-two-5a7d13', TOKEN_SD_BAD: 'secret-sd-refused-0' };
let sshd: TestSshd;
let manager: UserManager;
let sim: WebexSim;
let dir: string;
let root: string;
let env: Record<string, string>;

beforeAll(async () => {
  sshd = await startSshd();
  manager = await startUserManager(sshd.user);
  sim = new WebexSim();
  await sim.start();
  sim.addBot(SECRETS.TOKEN_SD_ONE, 'SdOne');
  sim.addBot(SECRETS.TOKEN_SD_TWO, 'SdTwo');
  root = `${sshd.scratch}/sd-root`;
  dir = fleetDir(`platforms:
  webex: { apiBase: "${sim.urls.apiBase}", wdmBase: "${sim.urls.wdmBase}" }
vms:
  sdvm: { host: ${sshd.alias}, root: ${root}, supervisor: systemd }
bots:
  sd-one: { vm: sdvm, platform: webex, entry: bots/echo.ts, token: env:TOKEN_SD_ONE }
  sd-two: { vm: sdvm, platform: webex, entry: bots/echo.ts, token: env:TOKEN_SD_TWO }
  sd-bad: { vm: sdvm, platform: webex, entry: bots/echo.ts, token: env:TOKEN_SD_BAD }
`);
  env = { BOTCTL_SSH_CONFIG: sshd.sshConfig, BOTCTL_NPM_OFFLINE: '1', ...SECRETS };
});
afterAll(async () => {
  await settle();
  await botctl(['stop', '--all', '--lock-wait', '70s'], { cwd: dir, env }).catch(() => undefined);
  await manager?.stop();
  await sim?.stop();
  await sshd?.stop();
});

interface Row { bot: string; state: string; pid: number | null; restarts: number | null }
const run = (args: string[]) => botctl(args, { cwd: dir, env });
const row = async (bot: string) => (JSON.parse((await run(['status', '--json'])).stdout) as Row[]).find((r) => r.bot === bot)!;
const ssh = (script: string) => execa('ssh', ['-F', sshd.sshConfig, sshd.alias, script], { reject: false });
const show = (bot: string, prop: string) => manager.systemctl(['show', `--property=${prop}`, '--value', `botctl-${bot}.service`]).trim();
const answers = async (token: string, text: string) => {
  const room = sim.directRoom(token).id;
  sim.say(room, text);
  await waitFor(`an answer to ${text}`, () => sim.repliesBy(token, room).some((m) => m.text === `echo: ${text}`));
};

describe('supervisor: systemd', () => {
  it('refuses to deploy while lingering is off, before anything changes', async () => {
    const linger = `/var/lib/systemd/linger/${manager.user}`;
    await execa('mv', [linger, `${linger}.off`]);
    try {
      const r = await run(['deploy', 'sd-one']);
      expect(r.exitCode).toBe(3);
      expect(r.stderr).toMatch(/lingering is off for botctl-test.*nothing was changed/);
      expect(r.stderr).toMatch(/sudo loginctl enable-linger botctl-test/);
      expect((await ssh(`test -e ${root}/releases`)).exitCode).not.toBe(0);
    } finally {
      await execa('mv', [`${linger}.off`, linger]);
    }
  });

  it('refuses a bot whose unit name another root on the VM user has, before anything changes', async () => {
    const other = `${sshd.scratch}/other-root/bots/sd-one`;
    await ssh(`mkdir -p ${other} ~/.config/systemd/user && touch ${other}/botctl-sd-one.service && ln -sfn ${other}/botctl-sd-one.service ~/.config/systemd/user/botctl-sd-one.service`);
    try {
      const r = await run(['deploy', 'sd-one']);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain(`botctl-sd-one.service already runs sd-one from the root ${sshd.scratch}/other-root; nothing was changed`);
      expect((await ssh(`test -e ${root}/releases`)).exitCode).not.toBe(0);
    } finally {
      // The other root is deleted by hand: its link dangles, and the deploy below must take it over.
      await ssh(`rm -rf ${sshd.scratch}/other-root`);
    }
  });

  it('deploys as enabled user units; status shows the pid systemd knows', async () => {
    const r = await run(['deploy', 'sd-one', 'sd-two']);
    expect(r.exitCode, r.stderr).toBe(0);
    for (const bot of ['sd-one', 'sd-two']) {
      const s = await row(bot);
      expect(s).toMatchObject({ state: 'running', restarts: 0 });
      expect(String(s.pid)).toBe(show(bot, 'MainPID'));
      expect(manager.systemctl(['is-enabled', `botctl-${bot}.service`]).trim()).toBe('enabled');
    }
    await answers(SECRETS.TOKEN_SD_ONE, 'under systemd');
    const doctor = await run(['doctor']);
    expect(doctor.stdout).toMatch(/supervisor +│ ok +│ systemd user units; botctl-test's manager running, lingering on/);
    expect(doctor.stdout).toMatch(/agent +│ ok +│ protocol \d+/);
  });

  it('restarts a bot killed with SIGKILL: status shows restarting, then running with 1 restart', async () => {
    const before = (await row('sd-one')).pid!;
    await ssh(`kill -9 ${before}`);
    await waitFor('systemd to schedule the restart', async () => (await row('sd-one')).state === 'restarting', 4_000, 100);
    const after = await waitFor('systemd to restart it', async () => {
      const s = await row('sd-one');
      return s.state === 'running' && s.pid !== before ? s : null;
    }, 20_000, 250);
    expect(after.restarts).toBe(1);
    await answers(SECRETS.TOKEN_SD_ONE, 'back again');
  });

  it('stop stops and disables the unit (no start at boot); start brings it back', async () => {
    expect((await run(['stop', 'sd-two'])).exitCode).toBe(0);
    expect(await row('sd-two')).toMatchObject({ state: 'stopped', pid: null });
    expect((await ssh(`test -e ~/.config/systemd/user/botctl-sd-two.service`)).exitCode).not.toBe(0);
    expect((await run(['start', 'sd-two'])).exitCode).toBe(0);
    expect((await row('sd-two')).state).toBe('running');
    await answers(SECRETS.TOKEN_SD_TWO, 'started again');
  });

  it('does not restart a bot whose token is refused (exit 78): crashed, 0 restarts', async () => {
    const r = await run(['deploy', 'sd-bad', '--ready-timeout', '20s']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/sd-bad on sdvm did not become ready/);
    const s = await waitFor('systemd to give up on sd-bad', async () => {
      const x = await row('sd-bad');
      return x.state === 'crashed' ? x : null;
    }, 10_000, 250);
    expect(s.restarts).toBe(0);
    expect(show('sd-bad', 'ExecMainStatus')).toBe('78');
  });

  it('a bot started while the platform is unreachable retries, says why in status, and becomes ready when it returns', async () => {
    expect((await run(['stop', 'sd-two'])).exitCode).toBe(0);
    await sim.goDown();
    const downAt = Date.now();
    // The rollout gives up waiting; the bot does not: it is not a fatal error (issue 11).
    const start = await run(['start', 'sd-two', '--ready-timeout', '2s']);
    expect(start.exitCode).toBe(3);
    const starting = await waitFor('status to say starting, and why', async () => {
      const x = JSON.parse((await run(['status', '--json'])).stdout).find((r: { bot: string }) => r.bot === 'sd-two');
      return x.state === 'starting' && x.error ? x : null;
    }, 30_000, 250);
    expect(starting.error).toMatch(/people\/me: .*ECONNREFUSED/);
    expect((await run(['status'])).stdout).toMatch(/sd-two is starting, retrying: people\/me: .*ECONNREFUSED/);
    // The outage lasts 20 s from the start; nobody touches the bot meanwhile.
    await new Promise((r) => setTimeout(r, Math.max(0, 20_000 - (Date.now() - downAt))));
    await sim.comeBack();
    const back = Date.now();
    await waitFor('sd-two ready on its own', async () => (await row('sd-two')).state === 'running', 90_000, 500);
    process.stdout.write(`start retry: ready ${Date.now() - back} ms after the platform came back\n`);
    expect(show('sd-two', 'NRestarts')).toBe('0');
    await answers(SECRETS.TOKEN_SD_TWO, 'after the outage');
  });

  // Last: it stops the manager (and with it every unit).
  it('when the VM answers but its systemd does not, status says unknown and why, not unreachable', async () => {
    await manager.stop();
    const r = await run(['status']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/│ sd-one +│ sdvm +│ unknown /);
    expect(r.stderr).toMatch(/^sdvm: state unknown: systemctl show .*/m);
    const start = await run(['start', 'sd-one']);
    expect(start.exitCode).toBe(3);
    expect(start.stderr).toMatch(/botctl-test's systemd manager is .*; nothing was changed/);
  });
});
