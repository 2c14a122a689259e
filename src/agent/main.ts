// The botctl agent: runs on a VM as `node agent.mjs <verb> --root <root> [options]` and answers
// with one JSON document on stdout. Node builtins only, so it starts in tens of milliseconds.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { treeHash } from '../release/hash.js';
import { botPaths, deployedBots as bots, linkTarget, NAME, removeBot, startBot, statusAll, stopBot, unitsTaken } from './bots.js';
import { AgentError } from './errors.js';
import { swapSymlink, underRoot, writeAtomic } from './files.js';
import * as lease from './lease.js';
import { readLog } from './logs.js';
import { AGENT_PROTOCOL as PROTOCOL } from './protocol.js';
import { systemdReadiness } from './systemd.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    root: { type: 'string' }, bot: { type: 'string' }, release: { type: 'string' }, file: { type: 'string' },
    path: { type: 'string' }, mode: { type: 'string' }, 'timeout-ms': { type: 'string' }, 'stale-ms': { type: 'string' }, json: { type: 'boolean' },
    owner: { type: 'string' }, 'owner-host': { type: 'string' }, 'owner-pid': { type: 'string' }, command: { type: 'string' },
    'ttl-ms': { type: 'string' }, token: { type: 'string' }, force: { type: 'boolean' }, limit: { type: 'string' },
    offset: { type: 'string' }, since: { type: 'string' }, grep: { type: 'string' }, bots: { type: 'string' },
  },
});
const verb = positionals[0] ?? '';
const root = path.resolve(values.root ?? '.');
const ID = /^[0-9a-f]{12}$/;

function arg(name: 'bot' | 'release' | 'file' | 'path', pattern?: RegExp): string {
  const v = values[name];
  if (!v || (pattern && !pattern.test(v))) throw new AgentError('E_ARGS', `--${name} is missing or malformed`);
  return v;
}

const botDir = (bot: string) => botPaths(root, bot).dir;

/** Files given on stdin as JSON: [{ path (under the root), content, mode }]. */
function readFiles(): { path: string; content: string; mode?: string }[] {
  const files = JSON.parse(readFileSync(0, 'utf8')) as unknown;
  if (!Array.isArray(files) || !files.every((f) => typeof f?.path === 'string' && typeof f.content === 'string')) throw new AgentError('E_ARGS', 'expected [{path, content, mode}] on stdin');
  return files as { path: string; content: string; mode?: string }[];
}

/** Writes a file under the root unless it already holds exactly this; says whether it wrote. */
function writeIfChanged(p: string, data: Buffer, mode = '644'): boolean {
  const target = underRoot(root, p);
  // Unchanged content is not rewritten: deploy restarts a bot only when something changed.
  if (existsSync(target) && readFileSync(target).equals(data)) return false;
  if (!/^[0-7]{3}$/.test(mode)) throw new AgentError('E_ARGS', `mode ${mode} is not an octal mode`);
  mkdirSync(path.dirname(target), { recursive: true });
  writeAtomic(target, data, Number.parseInt(mode, 8));
  return true;
}

const releases = () => (existsSync(path.join(root, 'releases')) ? readdirSync(path.join(root, 'releases')).filter((d) => ID.test(d)).sort() : []);

async function run(): Promise<unknown> {
  switch (verb) {
    case 'hello':
      return { node: process.version, execPath: process.execPath };
    case 'preflight': {
      // Asked before a mutating command touches a systemd VM: nothing changes here.
      const systemd = systemdReadiness();
      const up = systemd.manager === 'running' || systemd.manager === 'degraded';
      return { node: process.version, execPath: process.execPath, systemd, taken: up ? unitsTaken(root, (values.bots ?? '').split(',').filter((b) => NAME.test(b))) : [] };
    }
    case 'status':
      return { time: new Date().toISOString(), releases: releases(), bots: statusAll(root, Number(values['stale-ms'] ?? 30_000)) };
    case 'releases':
      return { releases: releases() };
    case 'start':
      return startBot(root, arg('bot', NAME));
    case 'stop': {
      const bot = arg('bot', NAME);
      return { bot, result: await stopBot(root, bot, Number(values['timeout-ms'] ?? 15_000)) };
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
    case 'write':
      return { path: underRoot(root, arg('path')), changed: writeIfChanged(arg('path'), readFileSync(0), values.mode) };
    case 'write-files': {
      // Every file of a bot in one call; only what differs is written.
      const files = readFiles();
      return { changed: files.filter((f) => writeIfChanged(f.path, Buffer.from(f.content), f.mode)).map((f) => f.path) };
    }
    case 'plan': {
      // What a deploy would change, in one call: the status, and which wanted files differ.
      const differ = readFiles().filter((f) => {
        const target = underRoot(root, f.path);
        return !existsSync(target) || !readFileSync(target).equals(Buffer.from(f.content));
      });
      return { time: new Date().toISOString(), releases: releases(), bots: statusAll(root, Number(values['stale-ms'] ?? 30_000)), differ: differ.map((f) => f.path) };
    }
    case 'remove-bot':
      return removeBot(root, arg('bot', NAME));
    case 'prune-releases': {
      // Never a release that a bot runs or would roll back to.
      const keep = Number(values.limit ?? 5);
      const pinned = new Set(bots(root).flatMap((b) => [linkTarget(path.join(botDir(b), 'current')), linkTarget(path.join(botDir(b), 'previous'))]));
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
