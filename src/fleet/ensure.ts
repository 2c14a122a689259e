import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FleetParsed } from './schema.js';
import { NAME_RE, nameRule } from './schema.js';
import type { Problem } from './types.js';

// Named cross-field checks, run after the schema passes (Kamal's ensure_* style). Each returns
// every problem it finds so that one run of `botctl config` shows them all.

export function ensureNames(f: FleetParsed): Problem[] {
  const out: Problem[] = [];
  for (const section of ['vms', 'bots'] as const) {
    for (const name of Object.keys(f[section])) {
      if (!NAME_RE.test(name)) out.push({ path: [section, name], atKey: true, message: `${JSON.stringify(name)} is not a valid name: ${nameRule}` });
    }
  }
  return out;
}

export function ensureBotVmsExist(f: FleetParsed): Problem[] {
  const vms = Object.keys(f.vms);
  return Object.entries(f.bots)
    .filter(([, bot]) => !(bot.vm in f.vms))
    .map(([name, bot]) => ({
      path: ['bots', name, 'vm'],
      message: `no VM named ${JSON.stringify(bot.vm)} (defined: ${vms.length ? vms.join(', ') : 'none'})`,
    }));
}

export function ensureBotKinds(f: FleetParsed): Problem[] {
  const out: Problem[] = [];
  for (const [name, bot] of Object.entries(f.bots)) {
    const at = (key: string, message: string) => out.push({ path: ['bots', name, key], message });
    if (bot.legacy) {
      if (bot.entry !== undefined) at('entry', 'a legacy bot has a log, not an entry: remove one of them');
      for (const key of ['token', 'dependencies', 'http', 'websocket'] as const) {
        if (bot[key] !== undefined) at(key, `a legacy bot does not run on the botctl runtime, so ${key} has no effect: remove it`);
      }
    } else {
      if (bot.entry === undefined) out.push({ path: ['bots', name], message: 'missing entry (the bot module), or legacy: { log, preset } for a bot botctl only audits' });
      if (bot.token === undefined) out.push({ path: ['bots', name], message: 'missing token: env:NAME or file:path' });
    }
  }
  return out;
}

export function ensureEntriesExist(f: FleetParsed, dir: string): Problem[] {
  return Object.entries(f.bots)
    .filter(([, bot]) => bot.entry !== undefined && !existsSync(path.resolve(dir, bot.entry)))
    .map(([name, bot]) => ({ path: ['bots', name, 'entry'], message: `${path.resolve(dir, bot.entry!)} does not exist` }));
}

export function ensureVmSettings(f: FleetParsed): Problem[] {
  const out: Problem[] = [];
  for (const [name, vm] of Object.entries(f.vms)) {
    const local = vm.host === 'local';
    if (!local && !path.posix.isAbsolute(vm.root)) {
      out.push({ path: ['vms', name, 'root'], message: 'the root of a remote VM must be an absolute path' });
    }
    if (local) {
      for (const key of ['user', 'port'] as const) {
        if (vm[key] !== undefined) out.push({ path: ['vms', name, key], message: `a local VM is not reached over SSH, so ${key} has no effect: remove it` });
      }
    }
    if (vm.node !== undefined && !path.posix.isAbsolute(vm.node)) {
      out.push({ path: ['vms', name, 'node'], message: 'node must be an absolute path on the VM' });
    }
  }
  return out;
}

export function ensureWebsocketTimings(f: FleetParsed): Problem[] {
  const out: Problem[] = [];
  const sections: [(string | number)[], FleetParsed['defaults']][] = [[['defaults'], f.defaults]];
  for (const [name, bot] of Object.entries(f.bots)) sections.push([['bots', name], bot]);
  for (const [at, s] of sections) {
    const ws = s?.websocket;
    if (ws?.pingInterval !== undefined && ws.maxConnectionAge !== undefined && ws.maxConnectionAge <= ws.pingInterval) {
      out.push({ path: [...at, 'websocket', 'maxConnectionAge'], message: 'maxConnectionAge must be longer than pingInterval' });
    }
  }
  return out;
}

export function runEnsures(f: FleetParsed, dir: string): Problem[] {
  return [
    ...ensureNames(f),
    ...ensureBotVmsExist(f),
    ...ensureBotKinds(f),
    ...ensureEntriesExist(f, dir),
    ...ensureVmSettings(f),
    ...ensureWebsocketTimings(f),
  ];
}
