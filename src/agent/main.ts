// The botctl agent: runs on a VM as `node agent.mjs <verb> --root <root> [options]` and answers
// with one JSON document on stdout. Node builtins only, so it starts in tens of milliseconds.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { treeHash } from '../release/hash.js';
import { swapSymlink, underRoot, writeAtomic } from './files.js';
import * as lease from './lease.js';
import { readLog } from './logs.js';
import { AGENT_PROTOCOL as PROTOCOL } from './protocol.js';
import { isBotProcess, pidFileOf, processIndex, readEnvFile, readPid, removePid, startDetached, stopProven } from './proc.js';


class AgentError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    root: { type: 'string' }, bot: { type: 'string' }, release: { type: 'string' }, file: { type: 'string' },
    path: { type: 'string' }, mode: { type: 'string' }, 'timeout-ms': { type: 'string' }, 'stale-ms': { type: 'string' }, json: { type: 'boolean' },
    owner: { type: 'string' }, 'owner-host': { type: 'string' }, 'owner-pid': { type: 'string' }, command: { type: 'string' },
    'ttl-ms': { type: 'string' }, token: { type: 'string' }, force: { type: 'boolean' }, limit: { type: 'string' },
    offset: { type: 'string' }, since: { type: 'string' }, grep: { type: 'string' },
  },
});
const verb = positionals[0] ?? '';
const root = path.resolve(values.root ?? '.');
const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const ID = /^[0-9a-f]{12}$/;

function arg(name: 'bot' | 'release' | 'file' | 'path', pattern?: RegExp): string {
  const v = values[name];
  if (!v || (pattern && !pattern.test(v))) throw new AgentError('E_ARGS', `--${name} is missing or malformed`);
  return v;
}

const botDir = (bot: string) => path.join(root, 'bots', bot);
const configOf = (bot: string) => path.join(botDir(bot), 'runtime.json');
const linkTarget = (link: string) => (existsSync(link) ? path.basename(readlinkSync(link)) : null);

function botStatus(bot: string, staleMs: number, procs: Map<string, number[]>): Record<string, unknown> {
  const dir = botDir(bot);
  const rec = readPid(pidFileOf(dir));
  const alive = rec !== null && isBotProcess(rec, configOf(bot));
  let heartbeat: Record<string, unknown> | null = null;
  try {
    heartbeat = JSON.parse(readFileSync(path.join(dir, 'run', 'status.json'), 'utf8'));
  } catch {
    // Never started, or the file is being replaced: no heartbeat to show.
  }
  const age = heartbeat?.updatedAt ? Date.now() - Date.parse(String(heartbeat.updatedAt)) : null;
  const others = (procs.get(configOf(bot)) ?? []).filter((p) => p !== rec?.pid);
  const state = others.length && alive ? 'duplicate' : alive ? (age !== null && age > staleMs ? 'stale' : 'running') : rec ? 'crashed' : others.length ? 'unmanaged' : 'stopped';
  return {
    bot, state, pid: alive ? rec!.pid : null, startedAt: alive ? rec!.startedAt : null, otherPids: others,
    current: linkTarget(path.join(dir, 'current')), previous: linkTarget(path.join(dir, 'previous')), heartbeat, heartbeatAgeMs: age,
  };
}

const releases = () => (existsSync(path.join(root, 'releases')) ? readdirSync(path.join(root, 'releases')).filter((d) => ID.test(d)).sort() : []);
const bots = () => (existsSync(path.join(root, 'bots')) ? readdirSync(path.join(root, 'bots')).filter((d) => NAME.test(d)).sort() : []);

async function run(): Promise<unknown> {
  switch (verb) {
    case 'hello':
      return { node: process.version };
    case 'status': {
      const procs = processIndex();
      return { time: new Date().toISOString(), releases: releases(), bots: bots().map((b) => botStatus(b, Number(values['stale-ms'] ?? 30_000), procs)) };
    }
    case 'releases':
      return { releases: releases() };
    case 'start': {
      const bot = arg('bot', NAME);
      const dir = botDir(bot);
      const rec = readPid(pidFileOf(dir));
      if (rec && isBotProcess(rec, configOf(bot))) return { bot, pid: rec.pid, already: true };
      const { argv } = JSON.parse(readFileSync(path.join(dir, 'launch.json'), 'utf8')) as { argv: string[] };
      mkdirSync(path.join(dir, 'run'), { recursive: true });
      mkdirSync(path.join(root, 'logs'), { recursive: true });
      const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? root, ...readEnvFile(path.join(dir, 'env')) };
      const started = startDetached(argv, env, path.join(root, 'logs', `${bot}.log`), pidFileOf(dir));
      return { bot, pid: started.pid, already: false };
    }
    case 'stop': {
      const bot = arg('bot', NAME);
      const rec = readPid(pidFileOf(botDir(bot)));
      const result = rec ? await stopProven(rec, configOf(bot), Number(values['timeout-ms'] ?? 15_000)) : 'not-running';
      removePid(pidFileOf(botDir(bot)));
      return { bot, result };
    }
    case 'switch': {
      const bot = arg('bot', NAME);
      const release = arg('release', ID);
      if (!existsSync(path.join(root, 'releases', release))) throw new AgentError('E_NO_RELEASE', `release ${release} is not on this VM`);
      const dir = botDir(bot);
      mkdirSync(dir, { recursive: true });
      const from = linkTarget(path.join(dir, 'current'));
      if (from && from !== release) swapSymlink(`../../releases/${from}`, path.join(dir, 'previous'));
      swapSymlink(`../../releases/${release}`, path.join(dir, 'current'));
      return { bot, from, to: release };
    }
    case 'unpack': {
      const release = arg('release', ID);
      const file = underRoot(root, arg('file'));
      const final = path.join(root, 'releases', release);
      const incoming = path.join(root, 'releases', `.incoming-${release}-${process.pid}`);
      try {
        if (existsSync(final)) return { release, created: false };
        mkdirSync(incoming, { recursive: true });
        execFileSync('tar', ['-xzf', file, '-C', incoming], { stdio: 'ignore' });
        const got = treeHash(incoming);
        if (got !== release) throw new AgentError('E_HASH', `the upload hashes to ${got}, not ${release}: refusing it`);
        renameSync(incoming, final);
        return { release, created: true };
      } finally {
        rmSync(incoming, { recursive: true, force: true });
        rmSync(file, { force: true });
      }
    }
    case 'write': {
      const target = underRoot(root, arg('path'));
      const data = readFileSync(0);
      // Unchanged content is not rewritten: deploy restarts a bot only when something changed.
      if (existsSync(target) && readFileSync(target).equals(data)) return { path: target, changed: false };
      mkdirSync(path.dirname(target), { recursive: true });
      writeAtomic(target, data, Number.parseInt(values.mode ?? '644', 8));
      return { path: target, changed: true };
    }
    case 'remove-bot': {
      const bot = arg('bot', NAME);
      const rec = readPid(pidFileOf(botDir(bot)));
      if (rec && isBotProcess(rec, configOf(bot))) throw new AgentError('E_RUNNING', `${bot} is running: stop it first`);
      rmSync(botDir(bot), { recursive: true, force: true });
      return { bot };
    }
    case 'prune-releases': {
      // Never a release that a bot runs or would roll back to.
      const keep = Number(values.limit ?? 5);
      const pinned = new Set(bots().flatMap((b) => [linkTarget(path.join(botDir(b), 'current')), linkTarget(path.join(botDir(b), 'previous'))]));
      const all = releases().map((id) => ({ id, at: statSync(path.join(root, 'releases', id)).mtimeMs })).sort((a, b) => b.at - a.at);
      const removed = all.slice(keep).filter((r) => !pinned.has(r.id)).map((r) => r.id);
      for (const id of removed) rmSync(path.join(root, 'releases', id), { recursive: true, force: true });
      return { removed };
    }
    case 'lock-acquire':
      return lease.acquire(root, {
        owner: values.owner ?? '?', host: values['owner-host'] ?? '?', pid: Number(values['owner-pid'] ?? 0), command: values.command ?? '?',
      }, Number(values['ttl-ms'] ?? 60_000));
    case 'lock-renew':
      return { renewed: lease.renew(root, values.token ?? '', Number(values['ttl-ms'] ?? 60_000)) };
    case 'lock-release':
      return { released: lease.release(root, values.token, values.force ?? false) };
    case 'lock-status':
      return lease.status(root);
    case 'ledger-append':
      lease.appendLedger(root, JSON.parse(readFileSync(0, 'utf8')) as Record<string, unknown>);
      return { appended: true };
    case 'logs':
      return readLog(path.join(root, 'logs', `${arg('bot', NAME)}.log`), Number(values.offset ?? -1), Number(values.limit ?? 100), values.since, values.grep);
    case 'ledger-read':
      return { entries: lease.readLedger(root, values.bot, Number(values.limit ?? 100)) };
    default:
      throw new AgentError('E_ARGS', `unknown verb ${JSON.stringify(verb)}`);
  }
}

run().then(
  (result) => process.stdout.write(`${JSON.stringify({ protocol: PROTOCOL, ok: true, result })}\n`),
  (err: Error & { code?: string }) => {
    process.stdout.write(`${JSON.stringify({ protocol: PROTOCOL, ok: false, error: { code: err.code ?? 'E_AGENT', message: err.message } })}\n`);
    process.exitCode = 1;
  },
);
