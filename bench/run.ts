import { execa } from 'execa';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectSsh } from '../src/remote/ssh.js';
import { startSshd } from '../test/support/sshd.js';
import { median, ms, percentile, printRows, timeEach, timeInterleaved, type Row } from './lib.js';
import { localBench } from './local.js';
import { runtimeBench } from './runtime.js';
import { statusBench } from './status.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const N_COMMANDS = 50;
const N_STARTS = 20;

async function sshCommands(rows: Row[]): Promise<void> {
  const sshd = await startSshd();
  try {
    const host = await connectSsh({ name: 'bench', host: sshd.alias }, { configFile: sshd.sshConfig });
    await host.run(['true']); // warm-up: first exec opens the session machinery
    const reused = await timeEach(N_COMMANDS, () => host.run(['true']));
    await host.close();
    // The baseline is what the runbook does today: a fresh `ssh host true` each time, no ControlMaster.
    const fresh = await timeEach(N_COMMANDS, () => execa('ssh', ['-F', sshd.sshConfig, '-o', 'ControlMaster=no', '-o', 'ControlPath=none', sshd.alias, 'true']));
    rows.push({
      what: `${N_COMMANDS} commands, per command (median / p90)`,
      botctl: `${ms(median(reused))} / ${ms(percentile(reused, 90))}`,
      baseline: `${ms(median(fresh))} / ${ms(percentile(fresh, 90))}`,
      baselineWhat: 'OpenSSH `ssh host true`',
      compare: `${(median(fresh) / median(reused)).toFixed(0)}x faster`,
      target: '<= 10 ms per command',
      met: median(reused) <= 10,
    });
  } finally {
    await sshd.stop();
  }
}

async function cliStart(rows: Row[]): Promise<void> {
  const bin = path.join(REPO, 'bin/botctl');
  await execa('node', [bin, '--help']);
  // Interleaved: a burst of load on the machine then hits both sides alike.
  const [help, bare] = await timeInterleaved(N_STARTS, [() => execa('node', [bin, '--help']), () => execa('node', ['-e', '0'])]) as [number[], number[]];
  const over = median(help) - median(bare);
  rows.push({
    what: '`botctl --help` start-up (median)',
    botctl: ms(median(help)),
    baseline: ms(median(bare)),
    baselineWhat: '`node -e 0`',
    compare: `+${ms(over)}`,
    target: '<= 80 ms above node',
    met: over <= 80,
  });
}

// `npm run bench -- ssh` (or runtime, status, local) runs one section; no argument runs all.
const only = process.argv[2];
const rows: Row[] = [];
if (!only || only === 'ssh') {
  await sshCommands(rows);
  await cliStart(rows);
}
if (!only || only === 'runtime') await runtimeBench(rows);
if (!only || only === 'status') await statusBench(rows);
if (!only || only === 'local') await localBench(rows);
printRows(rows);
