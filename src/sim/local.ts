import type { Fleet } from '../fleet/types.js';
import { WebexSim } from './webex/sim.js';

export interface SimBotInfo { bot: string; tokenFrom: string; roomId: string }

/**
 * The simulator for a fleet's local demo: each Webex bot gets an identity (its real token when
 * its env var is set, else a demo token) and a direct room with the ops user.
 */
export async function startFleetSim(fleet: Fleet, port: number, host: string, env: NodeJS.ProcessEnv = process.env): Promise<{ sim: WebexSim; bots: SimBotInfo[] }> {
  const sim = new WebexSim();
  await sim.start(port, host);
  const bots: SimBotInfo[] = [];
  for (const bot of Object.values(fleet.bots)) {
    if (bot.kind !== 'runtime' || bot.platform !== 'webex') continue;
    const fromEnv = bot.token?.kind === 'env' ? env[bot.token.ref] : undefined;
    const token = fromEnv || demoToken(bot.name);
    sim.addBot(token, bot.name);
    const room = sim.directRoom(token);
    sim.names.set(bot.name, { token, roomId: room.id });
    bots.push({ bot: bot.name, tokenFrom: fromEnv ? `$${bot.token!.ref}` : `demo token ${demoToken(bot.name)}`, roomId: room.id });
  }
  return { sim, bots };
}

/** The token a bot uses against the simulator when its real one is not set. */
export function demoToken(bot: string): string {
  return `sim-${bot}`;
}
