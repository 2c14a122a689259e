import { isMap, isScalar, type Document } from 'yaml';
import type { Problem } from './types.js';

// The common indentation mistake: a bot's setting written one level out, so YAML reads it as a
// bot of its own ("platform: webex" under bots). The schema would then report the "bot" as not a
// map and its real bot as missing the key, at other lines: one message says what happened.

const SETTINGS: Record<'bots' | 'vms', { noun: string; keys: string[] }> = {
  bots: { noun: 'bot', keys: ['vm', 'platform', 'entry', 'token', 'legacy', 'dependencies', 'http', 'websocket', 'catchUp', 'audit'] },
  vms: { noun: 'VM', keys: ['host', 'user', 'port', 'root', 'node', 'supervisor', 'releases'] },
};

export interface Misplaced {
  problem: Problem;
  section: 'bots' | 'vms';
  key: string;
  /** The entry just above it, which most likely lost the key. */
  owner: string | null;
}

/** Keys of a bot (or VM) that stand among the bots (or VMs) as if they were names. */
export function misplacedKeys(doc: Document): Misplaced[] {
  const out: Misplaced[] = [];
  for (const section of ['bots', 'vms'] as const) {
    const map = doc.get(section, true);
    if (!isMap(map)) continue;
    const { noun, keys } = SETTINGS[section];
    let owner: string | null = null;
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : null;
      if (key === null) continue;
      // A real entry is a map with settings; a setting's value here is a scalar, or a map of its own keys.
      const value = pair.value;
      const looksLikeEntry = isMap(value) && value.items.some((p) => isScalar(p.key) && keys.includes(String(p.key.value)));
      if (keys.includes(key) && !looksLikeEntry) {
        const where = owner ? `, under ${owner}` : '';
        out.push({
          section, key, owner,
          problem: { path: [section, key], atKey: true, message: `"${key}" is a setting of a ${noun}, but here it stands among the ${section} as if it were a ${noun}'s name: indent it one level deeper${where}` },
        });
      } else owner = key;
    }
  }
  return out;
}

/** Drops the problems a misplaced key causes elsewhere: it is reported once, where it stands. */
export function withoutEchoes(problems: Problem[], misplaced: Misplaced[]): Problem[] {
  return problems.filter((p) => !misplaced.some((m) => {
    const [s, name, key] = p.path;
    if (s !== m.section) return false;
    if (name === m.key) return true;
    return name === m.owner && (key === m.key || (p.path.length === 2 && p.message.startsWith(`missing ${m.key}`)));
  }));
}
