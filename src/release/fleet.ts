import path from 'node:path';
import { BotctlError } from '../errors.js';
import type { Bot, Fleet } from '../fleet/types.js';
import { buildRelease } from './build.js';
import type { Release } from './manifest.js';
import { dependencySetKey, releaseDependencies } from './deps.js';

export interface BotRelease {
  bot: string;
  release: string;
  /** The bundled entry inside the release. */
  module: string;
  dependencies: Record<string, string>;
  built: boolean;
}

/** The runtime bots a command names (all when none), refusing unknown and legacy names. */
export function selectBots(fleet: Fleet, names: string[] | undefined): Bot[] {
  const runtime = Object.values(fleet.bots).filter((b) => b.kind === 'runtime');
  if (!names?.length) return runtime;
  return names.map((n) => {
    const bot = fleet.bots[n];
    if (!bot) throw new BotctlError('E_USAGE', `no bot named ${JSON.stringify(n)} in fleet.yaml`, { hint: `bots: ${runtime.map((b) => b.name).join(', ')}` });
    if (bot.kind === 'legacy') throw new BotctlError('E_USAGE', `${n} is a legacy bot: botctl audits its log but does not build or run it`);
    return bot;
  });
}

/**
 * Builds one release per distinct dependency set among the bots (cached under .botctl/cache).
 * A release holds the entries of every bot of the fleet on its dependency set, not only of
 * those named: \`deploy tars\` then gives tars the same release \`deploy --all\` does.
 */
export async function buildFleetReleases(fleet: Fleet, bots: Bot[], env: NodeJS.ProcessEnv = process.env): Promise<BotRelease[]> {
  const groups = new Map<string, { deps: Record<string, string>; bots: Bot[]; entries: string[] }>();
  const wanted = new Set(bots.map((b) => b.name));
  for (const bot of Object.values(fleet.bots).filter((b) => b.kind === 'runtime')) {
    const deps = releaseDependencies(bot);
    const key = dependencySetKey(deps);
    const g = groups.get(key) ?? { deps, bots: [], entries: [] };
    g.entries.push(bot.entry!);
    if (wanted.has(bot.name)) g.bots.push(bot);
    groups.set(key, g);
  }
  const opts = {
    cacheDir: path.join(fleet.dir, '.botctl', 'cache'),
    locksDir: path.join(fleet.dir, 'release-locks'),
    fleetDir: fleet.dir,
    offline: env.BOTCTL_NPM_OFFLINE === '1',
  };
  const out: BotRelease[] = [];
  for (const { deps, bots: members, entries } of groups.values()) {
    if (!members.length) continue;
    const release: Release = await buildRelease(deps, entries, opts);
    for (const bot of members) {
      const rel = path.relative(fleet.dir, bot.entry!).split(path.sep).join('/');
      out.push({ bot: bot.name, release: release.id, module: release.manifest.bots[rel]!, dependencies: release.manifest.dependencies, built: release.built });
    }
  }
  const order = bots.map((b) => b.name);
  return out.sort((a, b) => order.indexOf(a.bot) - order.indexOf(b.bot));
}
