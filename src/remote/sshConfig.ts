import { existsSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BotctlError } from '../errors.js';
import { globToRegExp } from '../util/glob.js';
import { spawnCollect } from './spawn.js';

/** Where and how to reach one host, as OpenSSH would work it out from its configuration. */
export interface SshTarget {
  alias: string;
  hostname: string;
  port: number;
  user: string;
  identityFiles: string[];
  /** Agent socket; undefined when none (IdentityAgent none, or no SSH_AUTH_SOCK). */
  identityAgent?: string;
  identitiesOnly: boolean;
  /** ProxyJump hops in order, as written ([user@]host[:port]). */
  proxyJump: string[];
  proxyCommand?: string;
  userKnownHostsFiles: string[];
  globalKnownHostsFiles: string[];
  hostKeyAlias?: string;
  strictHostKeyChecking: 'yes' | 'accept-new' | 'ask' | 'no';
  connectTimeoutMs?: number;
  serverAliveIntervalMs: number;
  serverAliveCountMax: number;
  /** Which resolver answered: OpenSSH itself, or botctl's own reading of the files. */
  source: 'ssh -G' | 'builtin';
}

export interface ResolveOptions {
  user?: string;
  port?: number;
  /** Like `ssh -F`: this file instead of ~/.ssh/config and /etc/ssh/ssh_config. */
  configFile?: string;
  resolver?: 'ssh' | 'builtin';
  env?: NodeJS.ProcessEnv;
}

type Raw = Map<string, string[]>;

/** Resolves a host alias: `ssh -G` where the OpenSSH client exists (it is the reference), else botctl's reader. */
export async function resolveSsh(alias: string, opts: ResolveOptions = {}): Promise<SshTarget> {
  if (alias.startsWith('-')) throw new BotctlError('E_CONFIG', `host ${JSON.stringify(alias)} may not start with "-"`);
  const env = opts.env ?? process.env;
  const resolver = opts.resolver ?? (env.BOTCTL_SSH_RESOLVER as 'ssh' | 'builtin' | undefined);
  const configFile = opts.configFile ?? env.BOTCTL_SSH_CONFIG;
  let raw: Raw | undefined;
  let source: SshTarget['source'] = 'ssh -G';
  if (resolver !== 'builtin') raw = await viaOpenSsh(alias, { ...opts, configFile }, resolver === 'ssh');
  if (!raw) {
    raw = await viaBuiltin(alias, { ...opts, configFile });
    source = 'builtin';
  }
  return normalise(alias, raw, source, env);
}

async function viaOpenSsh(alias: string, opts: ResolveOptions, required: boolean): Promise<Raw | undefined> {
  const args = ['-G'];
  if (opts.configFile) args.push('-F', opts.configFile);
  if (opts.port !== undefined) args.push('-p', String(opts.port));
  if (opts.user !== undefined) args.push('-l', opts.user);
  args.push('--', alias);
  const r = await spawnCollect('ssh', args);
  if (r.spawnError?.code === 'ENOENT') {
    if (required) throw new BotctlError('E_USAGE', 'BOTCTL_SSH_RESOLVER=ssh but no `ssh` client is installed');
    return undefined;
  }
  if (r.code !== 0) {
    throw new BotctlError('E_CONFIG', `ssh configuration for ${alias}: ${String(r.stderr).trim().split('\n')[0]}`, {
      hint: 'run `ssh -G <host>` to see what OpenSSH makes of it',
    });
  }
  const raw: Raw = new Map();
  for (const line of String(r.stdout).split('\n')) {
    const m = /^(\S+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    raw.set(key, [...(raw.get(key) ?? []), m[2]!]);
  }
  return raw;
}

async function viaBuiltin(alias: string, opts: ResolveOptions): Promise<Raw> {
  // Only machines without the OpenSSH client need this parser: load it only then.
  const { default: SSHConfig } = await import('ssh-config');
  const home = homeDir();
  const files = opts.configFile
    ? [{ file: opts.configFile, base: path.dirname(opts.configFile) }]
    : [
        { file: path.join(home, '.ssh', 'config'), base: path.join(home, '.ssh') },
        { file: '/etc/ssh/ssh_config', base: '/etc/ssh' },
      ];
  const text = files.map(({ file, base }) => inlineIncludes(file, base, 0)).join('\n');
  const computed = SSHConfig.parse(text).compute(alias);
  const raw: Raw = new Map();
  for (const [k, v] of Object.entries(computed)) raw.set(k.toLowerCase(), Array.isArray(v) ? v : [v]);
  // Command-line values win over the files, as with `ssh -l user -p port`.
  if (opts.user !== undefined) raw.set('user', [opts.user]);
  if (opts.port !== undefined) raw.set('port', [String(opts.port)]);
  return raw;
}

/** Include directives, expanded in place (relative paths from ~/.ssh or /etc/ssh, * globs). */
export function inlineIncludes(file: string, base: string, depth: number): string {
  if (depth > 16) throw new BotctlError('E_CONFIG', `ssh config Include nesting is too deep at ${file}`);
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => {
      const m = /^\s*include\s+(.+)$/i.exec(line);
      if (!m) return line;
      return m[1]!
        .trim()
        .split(/\s+/)
        .flatMap((p) => globFiles(path.resolve(base, expandTilde(p))))
        .map((f) => inlineIncludes(f, base, depth + 1))
        .join('\n');
    })
    .join('\n');
}

function globFiles(pattern: string): string[] {
  const dir = path.dirname(pattern);
  const name = path.basename(pattern);
  if (!name.includes('*') && !name.includes('?')) return [pattern];
  const re = globToRegExp(name);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => re.test(f)).sort().map((f) => path.join(dir, f));
}

const DEFAULT_IDENTITIES = ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk'].map((f) => `~/.ssh/${f}`);

function normalise(alias: string, raw: Raw, source: SshTarget['source'], env: NodeJS.ProcessEnv): SshTarget {
  const one = (k: string) => raw.get(k)?.[0];
  const list = (k: string) => (raw.get(k) ?? []).flatMap((v) => v.split(/\s+/)).filter(Boolean);
  const hostname = one('hostname') ?? alias;
  const port = Number(one('port') ?? 22);
  const user = one('user') ?? os.userInfo().username;
  const expand = (p: string) => expandTilde(expandTokens(p, { alias, hostname, port, user }));
  const agent = one('identityagent');
  const timeout = one('connecttimeout');
  const strict = (one('stricthostkeychecking') ?? 'ask').toLowerCase();
  const jump = one('proxyjump');
  const proxyCommand = one('proxycommand');
  const identities = raw.get('identityfile') ?? DEFAULT_IDENTITIES;
  return {
    alias,
    hostname,
    port,
    user,
    identityFiles: identities.map(expand),
    identityAgent: agent === 'none' ? undefined : agent && agent !== 'SSH_AUTH_SOCK' ? expand(agent) : env.SSH_AUTH_SOCK || undefined,
    identitiesOnly: one('identitiesonly') === 'yes',
    proxyJump: jump && jump !== 'none' ? jump.split(',') : [],
    ...(proxyCommand && proxyCommand !== 'none' && { proxyCommand }),
    userKnownHostsFiles: (list('userknownhostsfile').length ? list('userknownhostsfile') : ['~/.ssh/known_hosts', '~/.ssh/known_hosts2']).map(expand),
    globalKnownHostsFiles: list('globalknownhostsfile').length ? list('globalknownhostsfile').map(expand) : ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'],
    ...(one('hostkeyalias') && { hostKeyAlias: one('hostkeyalias') }),
    strictHostKeyChecking: strict === 'yes' || strict === 'true' ? 'yes' : strict === 'accept-new' ? 'accept-new' : strict === 'no' || strict === 'off' || strict === 'false' ? 'no' : 'ask',
    ...(timeout && timeout !== 'none' && { connectTimeoutMs: Number(timeout) * 1000 }),
    serverAliveIntervalMs: Number(one('serveraliveinterval') ?? 0) * 1000,
    serverAliveCountMax: Number(one('serveralivecountmax') ?? 3),
    source,
  };
}

// OpenSSH resolves ~ from the password database, not $HOME; so does botctl.
function homeDir(): string {
  return os.userInfo().homedir;
}

function expandTilde(p: string): string {
  return p === '~' ? homeDir() : p.startsWith('~/') ? path.join(homeDir(), p.slice(2)) : p;
}

function expandTokens(p: string, t: { alias: string; hostname: string; port: number; user: string }): string {
  return p.replace(/%([%dhnpru])/g, (_m, c: string) => {
    switch (c) {
      case '%': return '%';
      case 'd': return homeDir();
      case 'h': return t.hostname;
      case 'n': return t.alias;
      case 'p': return String(t.port);
      case 'r': return t.user;
      default: return os.userInfo().username;
    }
  });
}

/** Splits a ProxyJump hop `[user@]host[:port]` (or an ssh:// URI) into its parts. */
export function parseJump(hop: string): { user?: string; host: string; port?: number } {
  const m = /^(?:ssh:\/\/)?(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hop.trim());
  if (!m) throw new BotctlError('E_CONFIG', `cannot read ProxyJump hop ${JSON.stringify(hop)}`);
  return {
    ...(m[1] && { user: m[1] }),
    host: m[2]!.replace(/^\[|\]$/g, ''),
    ...(m[3] && { port: Number(m[3]) }),
  };
}
