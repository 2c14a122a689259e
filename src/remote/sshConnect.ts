import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { NodeSSH } from 'node-ssh';
import ssh2 from 'ssh2';
import { BotctlError } from '../errors.js';
import {
  appendKnownHost, fingerprint, keyType, knownHostsName, knownKeyTypes, readKnownHosts, verifyHostKey, type HostKeyVerdict,
} from './knownHosts.js';
import type { SshTarget } from './sshConfig.js';

export interface HandshakeOptions {
  acceptNewHostKey?: boolean;
  connectTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface HostKeyFacts {
  status: 'known' | 'accepted-new';
  type: string;
  fingerprint: string;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Opens TCP with no-delay: without it every command waits ~40 ms on Nagle + delayed ACK. */
export function tcpConnect(target: SshTarget, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: target.hostname, port: target.port });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(unreachable(target, `no answer within ${timeoutMs / 1000}s`));
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.setNoDelay(true);
      resolve(sock);
    });
    sock.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why =
        err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN' ? `cannot resolve host name ${target.hostname}`
        : err.code === 'ECONNREFUSED' ? 'connection refused (is sshd running, is the port right?)'
        : err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH' ? 'no route to host'
        : err.message;
      reject(unreachable(target, why));
    });
  });
}

export function describeTarget(t: SshTarget): string {
  const where = `${t.user}@${t.hostname}:${t.port}`;
  return t.alias === t.hostname ? where : `${t.alias} (${where})`;
}

function unreachable(t: SshTarget, why: string): BotctlError {
  return new BotctlError('E_UNREACHABLE', `cannot reach ${describeTarget(t)}: ${why}`, {
    hint: `check that \`ssh ${t.alias}\` works from this machine`,
  });
}

/** SSH handshake over an open stream: host key checked against known_hosts, then authentication. */
export async function handshake(target: SshTarget, sock: Duplex, opts: HandshakeOptions): Promise<{ ssh: NodeSSH; hostKey: HostKeyFacts }> {
  const name = knownHostsName(target.hostKeyAlias ?? target.hostname, target.port);
  const entries = readKnownHosts([...target.userKnownHostsFiles, ...target.globalKnownHostsFiles]);
  const acceptNew = opts.acceptNewHostKey || target.strictHostKeyChecking === 'accept-new' || target.strictHostKeyChecking === 'no';
  let verdict: HostKeyVerdict | undefined;
  let presented: Buffer | undefined;
  let facts: HostKeyFacts | undefined;

  const hostVerifier = (blob: Buffer): boolean => {
    presented = blob;
    verdict = verifyHostKey(entries, name, blob);
    const base = { type: keyType(blob), fingerprint: fingerprint(blob) };
    if (verdict.status === 'known') facts = { status: 'known', ...base };
    else if (verdict.status === 'unknown' && acceptNew) {
      appendKnownHost(target.userKnownHostsFiles[0]!, name, blob);
      opts.log?.(`recorded new host key for ${name} in ${target.userKnownHostsFiles[0]}`);
      facts = { status: 'accepted-new', ...base };
    }
    return facts !== undefined;
  };

  const { methods, skipped } = authMethods(target);
  const ssh = new NodeSSH();
  const timeout = opts.connectTimeoutMs ?? target.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const preferred = knownKeyTypes(entries, name).flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
  try {
    await ssh.connect({
      sock,
      username: target.user,
      authHandler: methods,
      hostVerifier,
      readyTimeout: timeout,
      keepaliveInterval: target.serverAliveIntervalMs || 15_000,
      keepaliveCountMax: target.serverAliveCountMax,
      // Ask first for the key types known_hosts holds, as OpenSSH does, so a host with several
      // keys presents one we can check rather than looking "changed". ssh2's prepend skips names
      // already in its default list, hence remove-then-prepend to move them to the front.
      ...(preferred.length && { algorithms: { serverHostKey: { remove: preferred, prepend: preferred } as never } }),
    } as Parameters<NodeSSH['connect']>[0]);
  } catch (err) {
    sock.destroy();
    throw classify(err, target, name, verdict, presented, skipped);
  }
  return { ssh, hostKey: facts! };
}

type AuthMethod = { type: 'none' | 'agent' | 'publickey'; username: string; agent?: string; key?: Buffer };

function authMethods(t: SshTarget): { methods: AuthMethod[]; skipped: string[] } {
  const methods: AuthMethod[] = [{ type: 'none', username: t.user }];
  const skipped: string[] = [];
  if (t.identityAgent && existsSync(t.identityAgent)) methods.push({ type: 'agent', username: t.user, agent: t.identityAgent });
  for (const file of t.identityFiles) {
    if (!existsSync(file)) continue;
    const key = readFileSync(file);
    // An encrypted key cannot be used without a prompt; ssh-agent is the way to use it.
    if (ssh2.utils.parseKey(key) instanceof Error) skipped.push(file);
    else methods.push({ type: 'publickey', username: t.user, key });
  }
  return { methods, skipped };
}

// ssh-keygen -R edits ~/.ssh/known_hosts unless told which file holds the entry.
function removeFrom(verdict: Exclude<HostKeyVerdict, { status: 'known' | 'unknown' }>): string {
  const file = verdict.status === 'changed' ? verdict.entries[0]!.file : verdict.entry.file;
  return file === path.join(os.userInfo().homedir, '.ssh', 'known_hosts') ? '' : ` -f ${file}`;
}

function classify(err: unknown, t: SshTarget, name: string, verdict: HostKeyVerdict | undefined, presented: Buffer | undefined, skipped: string[]): BotctlError {
  if (verdict && presented && verdict.status !== 'known' && !(err instanceof BotctlError)) {
    const fp = fingerprint(presented);
    if (verdict.status === 'unknown') {
      return new BotctlError('E_HOSTKEY_UNKNOWN', `host key of ${name} is not in known_hosts (${keyType(presented)} ${fp})`, {
        hint: `verify the fingerprint with the VM's owner, then run \`ssh ${t.alias}\` once to record it, or pass --accept-new-host-key`,
      });
    }
    const where = verdict.status === 'changed' ? verdict.entries.map((e) => `${e.file}:${e.line}`).join(', ') : `${verdict.entry.file}:${verdict.entry.line}`;
    return new BotctlError('E_HOSTKEY_CHANGED', `HOST KEY ${verdict.status === 'revoked' ? 'IS REVOKED' : 'HAS CHANGED'} for ${name}: it presented ${keyType(presented)} ${fp}, known_hosts says otherwise (${where}). Someone may be intercepting the connection; botctl refused to connect`, {
      hint: `if the VM was really reinstalled, confirm the new fingerprint out of band, then \`ssh-keygen -R '${name}'${removeFrom(verdict)}\` and connect again`,
    });
  }
  const e = err as Error & { level?: string };
  if (e.level === 'client-authentication') {
    const tried = [t.identityAgent ? 'ssh-agent' : undefined, ...t.identityFiles.filter((f) => existsSync(f) && !skipped.includes(f))].filter(Boolean);
    return new BotctlError('E_AUTH', `${describeTarget(t)} refused every key botctl offered (${tried.length ? tried.join(', ') : 'none: no agent and no identity file'})`, {
      hint: skipped.length
        ? `encrypted keys are used through ssh-agent: \`ssh-add ${skipped[0]}\``
        : `check that \`ssh ${t.alias} true\` works, and which IdentityFile it uses`,
    });
  }
  if (e.level === 'client-timeout' || /timed out/i.test(e.message)) {
    return new BotctlError('E_UNREACHABLE', `${describeTarget(t)} did not finish the SSH handshake in time`, { hint: 'is it an SSH server? a slow link? raise ConnectTimeout in ~/.ssh/config', cause: err });
  }
  return new BotctlError('E_UNREACHABLE', `SSH to ${describeTarget(t)} failed: ${e.message}`, { cause: err });
}
