import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { waitFor } from './bots.js';

/** A real `systemd --user` manager for the test user, as on a VM with lingering on. */
export interface UserManager {
  user: string;
  uid: number;
  /** Runs `systemctl --user` as the test user; returns stdout. */
  systemctl(args: string[]): string;
  stop(): Promise<void>;
}

const CGROUP2_MAGIC = 0x63677270;

/**
 * PID 1 is not systemd on these machines, so no user manager is running. systemd still runs as a
 * user manager when (1) /run/systemd/system exists (its "booted with systemd" test) and (2) it
 * starts inside a cgroup its user owns, as user@.service would give it. As root, the test makes
 * both true, marks the user as lingering the way `loginctl enable-linger` does, and starts it.
 */
export async function startUserManager(user: string): Promise<UserManager> {
  if (process.getuid?.() !== 0) throw new Error('the systemd tests start a user manager for the test user and switch its lingering: run them as root, as CI does');
  // On a machine booted with systemd this would meddle with the real user.slice and logind.
  if (readFileSync('/proc/1/comm', 'utf8').trim() === 'systemd') throw new Error('PID 1 is systemd here: these tests are for machines without it (CI); use a real VM instead');
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
  const home = execFileSync('sh', ['-c', `getent passwd ${uid} | cut -d: -f6`], { encoding: 'utf8' }).trim();
  const runtimeDir = `/run/user/${uid}`;
  const env = { HOME: home, USER: user, LOGNAME: user, XDG_RUNTIME_DIR: runtimeDir, PATH: '/usr/local/bin:/usr/bin:/bin' };
  const setpriv = ['setpriv', '--reuid', String(uid), '--regid', String(gid), '--init-groups', 'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`)];
  const asUser = (cmd: string[]) => spawnSync(setpriv[0]!, [...setpriv.slice(1), ...cmd], { encoding: 'utf8' });
  const systemctl = (args: string[]) => {
    const r = asUser(['systemctl', '--user', ...args]);
    if (r.status !== 0) throw new Error(`systemctl --user ${args.join(' ')}: ${r.stderr.trim()}`);
    return r.stdout;
  };
  const up = () => ['running', 'degraded'].includes(asUser(['systemctl', '--user', 'is-system-running']).stdout.trim());
  const linger = `/var/lib/systemd/linger/${user}`;
  const made = { marker: !existsSync('/run/systemd/system'), linger: !existsSync(linger) };
  mkdirSync('/run/systemd/system', { recursive: true });
  mkdirSync('/var/lib/systemd/linger', { recursive: true });
  writeFileSync(linger, '');
  const cleanup = () => {
    if (made.linger) rmSync(linger, { force: true });
    if (made.marker) rmSync('/run/systemd/system', { recursive: true, force: true });
  };
  // A manager left by an earlier run is used as it is, and left running.
  if (up()) return { user, uid, systemctl, stop: async () => cleanup() };

  mkdirSync(runtimeDir, { recursive: true, mode: 0o700 });
  execFileSync('chown', [`${uid}:${gid}`, runtimeDir]);
  const unified = statfsSync('/sys/fs/cgroup').type === CGROUP2_MAGIC;
  const hierarchies = unified ? ['/sys/fs/cgroup'] : ['/sys/fs/cgroup/unified', '/sys/fs/cgroup/systemd'].filter(existsSync);
  const cgroups = hierarchies.map((h) => `${h}/user.slice/user-${uid}.slice/user@${uid}.service`);
  for (const cg of cgroups) {
    mkdirSync(cg, { recursive: true });
    execFileSync('chown', ['-R', `${uid}:${gid}`, cg]);
  }
  const join = cgroups.map((cg) => `echo $$ > ${cg}/cgroup.procs`).join(' && ');
  const child = spawn('sh', ['-c', `${join} && exec "$@"`, 'sh', ...setpriv, '/lib/systemd/systemd', '--user'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitFor('the user manager to run', () => {
      if (child.exitCode !== null) throw new Error(`systemd --user exited ${child.exitCode}: ${stderr.trim()}`);
      return up();
    }, 15_000, 50);
  } catch (err) {
    child.kill('SIGKILL');
    cleanup();
    throw err;
  }
  return {
    user, uid, systemctl,
    stop: async () => {
      // SIGTERM: the manager stops every unit (the bots get their SIGTERM), then exits.
      child.kill('SIGTERM');
      await exited;
      cleanup();
    },
  };
}
