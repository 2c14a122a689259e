import { existsSync } from 'node:fs';
import path from 'node:path';
import { display } from './display.js';
import { parseDuration } from './duration.js';
import { NAME_RE, nameRule } from './schema.js';
import type { Problem } from './types.js';

// Named cross-field checks (Kamal's ensure_* style). They run on the parsed YAML whether or not
// the schema accepted it, so that one run of `botctl config` shows every problem: each reads
// only what has the shape it needs and leaves the rest to the schema's own messages.

type Raw = Record<string, unknown>;

/** A plain map's own entries; anything else has none. */
export function entriesOf(v: unknown): [string, unknown][] {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.entries(v as Raw) : [];
}

const mapOf = (v: unknown): Raw | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : null);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function ensureNames(f: Raw): Problem[] {
  const out: Problem[] = [];
  for (const section of ['vms', 'bots'] as const) {
    for (const [name] of entriesOf(f[section])) {
      if (!NAME_RE.test(name)) out.push({ path: [section, name], atKey: true, message: `${JSON.stringify(name)} is not a valid name: ${nameRule}` });
    }
  }
  return out;
}

export function ensureBotVmsExist(f: Raw): Problem[] {
  const vms = entriesOf(f.vms).map(([n]) => n);
  return entriesOf(f.bots).flatMap(([name, bot]) => {
    const vm = str(mapOf(bot)?.vm);
    // Own names only: "constructor" or "__proto__" is not a VM because every object has one.
    return vm !== undefined && !vms.includes(vm)
      ? [{ path: ['bots', name, 'vm'], message: `no VM named ${JSON.stringify(vm)} (defined: ${vms.length ? vms.join(', ') : 'none'})` }]
      : [];
  });
}

export function ensureBotKinds(f: Raw): Problem[] {
  const out: Problem[] = [];
  for (const [name, raw] of entriesOf(f.bots)) {
    const bot = mapOf(raw);
    if (!bot) continue;
    const at = (key: string, message: string) => out.push({ path: ['bots', name, key], message });
    if (bot.legacy !== undefined) {
      if (bot.entry !== undefined) at('entry', 'a legacy bot has a log, not an entry: remove one of them');
      for (const key of ['token', 'dependencies', 'http', 'websocket', 'catchUp'] as const) {
        if (bot[key] !== undefined) at(key, `a legacy bot does not run on the botctl runtime, so ${key} has no effect: remove it`);
      }
    } else {
      if (bot.entry === undefined) out.push({ path: ['bots', name], message: 'missing entry (the bot module), or legacy: { log, preset } for a bot botctl only audits' });
      if (bot.token === undefined) out.push({ path: ['bots', name], message: 'missing token: env:NAME or file:path' });
    }
  }
  return out;
}

export function ensureEntriesExist(f: Raw, dir: string): Problem[] {
  return entriesOf(f.bots).flatMap(([name, bot]) => {
    const entry = str(mapOf(bot)?.entry);
    return entry !== undefined && entry !== '' && !existsSync(path.resolve(dir, entry))
      ? [{ path: ['bots', name, 'entry'], message: `${display(path.resolve(dir, entry))} does not exist` }]
      : [];
  });
}

export function ensureVmSettings(f: Raw): Problem[] {
  const out: Problem[] = [];
  for (const [name, raw] of entriesOf(f.vms)) {
    const vm = mapOf(raw);
    if (!vm) continue;
    const local = vm.host === 'local';
    const root = str(vm.root);
    if (!local && root && !path.posix.isAbsolute(root)) out.push({ path: ['vms', name, 'root'], message: 'the root of a remote VM must be an absolute path' });
    if (local) {
      for (const key of ['user', 'port'] as const) {
        if (vm[key] !== undefined) out.push({ path: ['vms', name, key], message: `a local VM is not reached over SSH, so ${key} has no effect: remove it` });
      }
    }
    const node = str(vm.node);
    if (node !== undefined && !path.posix.isAbsolute(node)) out.push({ path: ['vms', name, 'node'], message: 'node must be an absolute path on the VM' });
  }
  return out;
}

export function ensureWebsocketTimings(f: Raw): Problem[] {
  const out: Problem[] = [];
  const sections: [(string | number)[], unknown][] = [[['defaults'], f.defaults], ...entriesOf(f.bots).map(([n, b]): [(string | number)[], unknown] => [['bots', n], b])];
  for (const [at, s] of sections) {
    const ws = mapOf(mapOf(s)?.websocket);
    const ping = parseDuration(str(ws?.pingInterval) ?? '');
    const age = parseDuration(str(ws?.maxConnectionAge) ?? '');
    if (ping !== undefined && age !== undefined && age <= ping) {
      out.push({ path: [...at, 'websocket', 'maxConnectionAge'], message: 'maxConnectionAge must be longer than pingInterval' });
    }
  }
  return out;
}

/** A sweep is requests against the platform's rate limit: not more often than once a second. */
export function ensureCatchUp(f: Raw): Problem[] {
  const out: Problem[] = [];
  const sections: [(string | number)[], unknown][] = [[['defaults'], f.defaults], ...entriesOf(f.bots).map(([n, b]): [(string | number)[], unknown] => [['bots', n], b])];
  for (const [at, s] of sections) {
    const sweep = parseDuration(str(mapOf(mapOf(s)?.catchUp)?.sweepInterval) ?? '');
    if (sweep !== undefined && (sweep < 1_000 || sweep > 3_600_000)) out.push({ path: [...at, 'catchUp', 'sweepInterval'], message: 'sweepInterval must be between 1s and 1h' });
  }
  return out;
}

export function runEnsures(f: unknown, dir: string): Problem[] {
  const raw = mapOf(f) ?? {};
  return [
    ...ensureNames(raw),
    ...ensureBotVmsExist(raw),
    ...ensureBotKinds(raw),
    ...ensureEntriesExist(raw, dir),
    ...ensureVmSettings(raw),
    ...ensureWebsocketTimings(raw),
    ...ensureCatchUp(raw),
  ];
}
