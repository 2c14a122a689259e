import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fillNpmCache } from '../../scripts/npmCache.js';

// `npm test` is the whole set-up: the npm cache gets what the offline release builds need, and
// afterwards nothing the suite started may still run. Every process the suite starts carries
// BOTCTL_TEST_RUN in its environment (inherited through the workers), runs as the test user, or
// names a temp directory the tests made: those are the suite's, and none may survive it.

const REPO = path.resolve(__dirname, '../..');
const RUN = randomUUID();
const TEST_USER = 'botctl-test';
let before = new Set<string>();

interface Proc { pid: number; key: string; uid: number; cmd: string }

function processes(): Proc[] {
  const out: Proc[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      // Fields after the command (which may hold spaces) start after its closing parenthesis.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${d}/status`, 'utf8'))?.[1]);
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ').trim();
      out.push({ pid: Number(d), key: `${d}:${f[19]}`, uid, cmd });
    } catch {
      // Gone while we looked.
    }
  }
  return out;
}

function environ(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    return '';
  }
}

function testUid(): number | null {
  try {
    const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${TEST_USER}:`));
    return line ? Number(line.split(':')[2]) : null;
  } catch {
    return null;
  }
}

/** Processes started since setup that belong to the suite, but for the runner itself. */
function survivors(): Proc[] {
  const all = processes();
  const uid = testUid();
  const tmp = `${os.tmpdir()}/botctl-`;
  // The runner itself, its workers and its bundler service run from node_modules, and end with it.
  const runner = (p: Proc) => p.pid === process.pid || p.cmd.includes('/node_modules/');
  return all.filter((p) => !before.has(p.key) && !runner(p) && p.cmd !== ''
    && (environ(p.pid).includes(`BOTCTL_TEST_RUN=${RUN}`) || (uid !== null && p.uid === uid) || p.cmd.includes(tmp)));
}

export async function setup(): Promise<void> {
  before = new Set(processes().map((p) => p.key));
  process.env.BOTCTL_TEST_RUN = RUN;
  await fillNpmCache(REPO, (line) => process.stdout.write(`${line}\n`));
}

export async function teardown(): Promise<void> {
  // Processes being stopped may take a moment to go; wait for that, with a deadline.
  const until = Date.now() + 10_000;
  let left = survivors();
  while (left.length && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 200));
    left = survivors();
  }
  if (!left.length) return;
  for (const p of left) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  // vitest reports an error thrown here but still exits 0: set the status ourselves.
  process.exitCode = 1;
  throw new Error(`the suite left ${left.length} process${left.length === 1 ? '' : 'es'} running (now killed); a test's teardown must stop what it starts:\n${left.map((p) => `  pid ${p.pid}: ${p.cmd.slice(0, 200)}`).join('\n')}`);
}
