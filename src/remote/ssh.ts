import { stat } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import type { ClientChannel } from 'ssh2';
import type { NodeSSH } from 'node-ssh';
import { BotctlError } from '../errors.js';
import type { Host, RunOptions, RunResult } from './host.js';
import { quoteArgv } from './quote.js';
import { describeTarget, handshake, tcpConnect, type HandshakeOptions, type HostKeyFacts } from './sshConnect.js';
import { parseJump, resolveSsh, type ResolveOptions, type SshTarget } from './sshConfig.js';

export interface SshHostOptions extends HandshakeOptions, Pick<ResolveOptions, 'configFile' | 'resolver'> {
  /** Called once the first TCP connection is up and the SSH handshake is under way. */
  onDial?: () => void;
}

/** A VM over one SSH connection that every command of this invocation reuses. */
export class SshHost implements Host {
  readonly describe: string;
  private lost = false;

  constructor(
    readonly name: string,
    readonly target: SshTarget,
    readonly hostKey: HostKeyFacts,
    private readonly ssh: NodeSSH,
    private readonly jumps: NodeSSH[],
  ) {
    this.describe = describeTarget(target);
    ssh.connection?.on('close', () => {
      this.lost = true;
    });
  }

  async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    if (this.lost) throw this.lostError();
    const started = performance.now();
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let channel: ClientChannel | undefined;
    const timeoutError = () => new BotctlError('E_TIMEOUT', `${argv[0]} did not finish within ${options.timeoutMs} ms on ${this.name}`);
    const exec = this.ssh.execCommand(quoteArgv(options.timeoutMs ? withRemoteTimeout(argv, options.timeoutMs) : argv), {
      ...(options.stdin !== undefined && { stdin: options.stdin.toString() }),
      onChannel: (c) => {
        channel = c;
      },
      onStdout: (c) => {
        out.push(c);
        options.onStdout?.(c);
      },
      onStderr: (c) => {
        err.push(c);
        options.onStderr?.(c);
      },
    });
    // The VM enforces the deadline itself; this backstop only stops us waiting on a stalled link.
    let backstop: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      if (options.timeoutMs) {
        backstop = setTimeout(() => {
          channel?.close();
          reject(timeoutError());
        }, options.timeoutMs + TIMEOUT_GRACE_MS);
      }
    });
    try {
      const r = await Promise.race([exec, stalled]);
      const elapsed = performance.now() - started;
      if (options.timeoutMs && elapsed >= options.timeoutMs && (r.code === 124 || r.code === 137)) throw timeoutError();
      if (r.code === null && r.signal === null && this.lost) throw this.lostError();
      return { code: r.code, signal: r.signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), durationMs: elapsed };
    } catch (e) {
      if (e instanceof BotctlError) throw e;
      throw this.lost ? this.lostError() : new BotctlError('E_REMOTE', `running ${argv[0]} on ${this.name} failed: ${(e as Error).message}`, { cause: e });
    } finally {
      clearTimeout(backstop);
    }
  }

  async put(localPath: string, remotePath: string): Promise<void> {
    try {
      if ((await stat(localPath)).isDirectory()) {
        const failed: string[] = [];
        await this.ssh.putDirectory(localPath, remotePath, {
          recursive: true,
          concurrency: 8,
          tick: (local, _remote, error) => {
            if (error) failed.push(`${local}: ${error.message}`);
          },
        });
        if (failed.length) throw new Error(failed.slice(0, 3).join('; '));
      } else {
        await this.ssh.putFile(localPath, remotePath);
      }
    } catch (e) {
      throw new BotctlError('E_REMOTE', `upload of ${localPath} to ${this.name}:${remotePath} failed: ${(e as Error).message}`, { cause: e });
    }
  }

  async close(): Promise<void> {
    this.ssh.dispose();
    for (const j of this.jumps.reverse()) j.dispose();
  }

  private lostError(): BotctlError {
    return new BotctlError('E_UNREACHABLE', `the SSH connection to ${this.describe} was lost`, { hint: 'check the network and the VM, then run the command again' });
  }
}

const TIMEOUT_GRACE_MS = 3_000;

/**
 * Wraps argv in coreutils `timeout` (TERM, then KILL 2 s later) so the VM itself ends a command
 * that overstays: an SSH "signal" request cannot be sent once stdin is closed, and a dropped
 * connection would otherwise leave the command running.
 */
export function withRemoteTimeout(argv: readonly string[], timeoutMs: number): string[] {
  return ['timeout', '-k', '2', `${(Math.max(timeoutMs, 1) / 1000).toFixed(3)}s`, ...argv];
}

/** Resolves the VM's host the way OpenSSH would, follows ProxyJump hops, and connects. */
export async function connectSsh(vm: { name: string; host: string; user?: string; port?: number }, opts: SshHostOptions = {}, resolved?: SshTarget): Promise<SshHost> {
  const resolve = (alias: string, user?: string, port?: number) =>
    resolveSsh(alias, { ...(user !== undefined && { user }), ...(port !== undefined && { port }), configFile: opts.configFile, resolver: opts.resolver });
  const target = resolved ?? (await resolve(vm.host, vm.user, vm.port));
  if (target.proxyCommand) {
    throw new BotctlError('E_CONFIG', `${vm.host} uses ProxyCommand, which botctl does not run`, { hint: 'use ProxyJump in ~/.ssh/config instead' });
  }
  const timeout = opts.connectTimeoutMs ?? target.connectTimeoutMs ?? 10_000;
  const hops = await Promise.all(target.proxyJump.map((hop) => {
    const j = parseJump(hop);
    return resolve(j.host, j.user, j.port);
  }));
  const chain = [...hops, target];
  const jumps: NodeSSH[] = [];
  try {
    let sock: Duplex = await tcpConnect(chain[0]!, timeout);
    // Whoever waits on this runs after the handshake below has sent its first bytes.
    opts.onDial?.();
    for (const [i, hop] of hops.entries()) {
      const { ssh } = await handshake(hop, sock, opts);
      jumps.push(ssh);
      sock = await forwardTo(ssh, hop, chain[i + 1]!);
    }
    const { ssh, hostKey } = await handshake(target, sock, opts);
    opts.log?.(`connected to ${describeTarget(target)} (config from ${target.source}${hops.length ? `, via ${target.proxyJump.join(',')}` : ''})`);
    return new SshHost(vm.name, target, hostKey, ssh, jumps);
  } catch (err) {
    for (const j of jumps) j.dispose();
    throw err;
  }
}

/** A channel from a jump host to the next hop (or the final target), used as the next socket. */
function forwardTo(via: NodeSSH, viaTarget: SshTarget, next: SshTarget): Promise<Duplex> {
  return new Promise((ok, fail) => {
    via.connection!.forwardOut('127.0.0.1', 0, next.hostname, next.port, (err, stream) => {
      if (err) fail(new BotctlError('E_UNREACHABLE', `jump host ${describeTarget(viaTarget)} could not reach ${next.hostname}:${next.port}: ${err.message}`));
      else ok(stream);
    });
  });
}
