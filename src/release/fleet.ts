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

/** Builds one release per distinct dependency set among the bots (cached under .botctl/cache). */
export async function buildFleetReleases(fleet: Fleet, bots: Bot[], env: NodeJS.ProcessEnv = process.env): Promise<BotRelease[]> {
  const groups = new Map<string, { deps: Record<string, string>; bots: Bot[] }>();
  for (const bot of bots) {
    const deps = releaseDependencies(bot);
    const key = dependencySetKey(deps);
    groups.set(key, { deps, bots: [...(groups.get(key)?.bots ?? []), bot] });
  }
  const opts = {
    cacheDir: path.join(fleet.dir, '.botctl', 'cache'),
    locksDir: path.join(fleet.dir, 'release-locks'),
    fleetDir: fleet.dir,
    offline: env.BOTCTL_NPM_OFFLINE === '1',
  };
  const out: BotRelease[] = [];
  for (const { deps, bots: members } of groups.values()) {
    const release: Release = await buildRelease(deps, members.map((b) => b.entry!), opts);
    for (const bot of members) {
      const rel = path.relative(fleet.dir, bot.entry!).split(path.sep).join('/');
      out.push({ bot: bot.name, release: release.id, module: release.manifest.bots[rel]!, dependencies: release.manifest.dependencies, built: release.built });
    }
  }
  const order = bots.map((b) => b.name);
  return out.sort((a, b) => order.indexOf(a.bot) - order.indexOf(b.bot));
}
