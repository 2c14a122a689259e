import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { globToRegExp } from '../util/glob.js';

export interface KnownHostEntry {
  marker?: '@revoked' | '@cert-authority';
  patterns: string;
  type: string;
  key: Buffer;
  file: string;
  line: number;
}

export type HostKeyVerdict =
  | { status: 'known'; entry: KnownHostEntry }
  | { status: 'unknown' }
  | { status: 'changed'; entries: KnownHostEntry[] }
  | { status: 'revoked'; entry: KnownHostEntry };

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const parts = line.split(/\s+/);
    const marker = parts[0] === '@revoked' || parts[0] === '@cert-authority' ? (parts.shift() as KnownHostEntry['marker']) : undefined;
    const [patterns, type, b64] = parts;
    if (!patterns || !type || !b64) return;
    out.push({ ...(marker && { marker }), patterns, type, key: Buffer.from(b64, 'base64'), file, line: i + 1 });
  });
  return out;
}

export function readKnownHosts(files: readonly string[]): KnownHostEntry[] {
  return files.filter((f) => existsSync(f)).flatMap((f) => parseKnownHosts(readFileSync(f, 'utf8'), f));
}

/** Does a known_hosts host field (comma list: plain, wildcard, !negated or |1|salt|hash) match `name`? */
export function patternsMatch(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) return hashedMatch(patterns, name);
  let matched = false;
  for (const p of patterns.split(',')) {
    const negated = p.startsWith('!');
    if (globMatch(negated ? p.slice(1) : p, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function hashedMatch(field: string, name: string): boolean {
  const [, , salt, hash] = field.split('|');
  if (!salt || !hash) return false;
  const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
  return digest === hash;
}

function globMatch(pattern: string, name: string): boolean {
  return globToRegExp(pattern, 'i').test(name);
}

/** The key type named inside an SSH public key blob (its first length-prefixed string). */
export function keyType(blob: Buffer): string {
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('ascii');
}

export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Judges a presented host key the way StrictHostKeyChecking does: known, unknown, changed or revoked. */
export function verifyHostKey(entries: readonly KnownHostEntry[], name: string, blob: Buffer): HostKeyVerdict {
  const mine = entries.filter((e) => e.marker !== '@cert-authority' && patternsMatch(e.patterns, name));
  const revoked = mine.find((e) => e.marker === '@revoked' && e.key.equals(blob));
  if (revoked) return { status: 'revoked', entry: revoked };
  const plain = mine.filter((e) => !e.marker);
  const hit = plain.find((e) => e.key.equals(blob));
  if (hit) return { status: 'known', entry: hit };
  return plain.length ? { status: 'changed', entries: plain } : { status: 'unknown' };
}

/** Key types already recorded for a host, so negotiation can ask for one we can check. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], name: string): string[] {
  return [...new Set(entries.filter((e) => !e.marker && patternsMatch(e.patterns, name)).map((e) => e.type))];
}

/** Records a newly accepted key, as `ssh -o StrictHostKeyChecking=accept-new` does. */
export function appendKnownHost(file: string, name: string, blob: Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  appendFileSync(file, `${name} ${keyType(blob)} ${blob.toString('base64')}\n`, { mode: 0o600 });
}
