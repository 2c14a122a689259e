import type { Fleet } from '../fleet/types.js';
import { PlatformSim } from './server.js';

export interface SimBotInfo { bot: string; platform: string; tokenFrom: string; chat: string }

/**
 * The simulator for a fleet's local demo: each bot gets an identity (its real token when its
 * env var is set, else a demo token) and a conversation with the ops user.
 */
export async function startFleetSim(fleet: Fleet, port: number, host: string, env: NodeJS.ProcessEnv = process.env): Promise<{ sim: PlatformSim; bots: SimBotInfo[] }> {
  const sim = new PlatformSim();
  await sim.start(port, host);
  const bots: SimBotInfo[] = [];
  for (const bot of Object.values(fleet.bots)) {
    if (bot.kind !== 'runtime') continue;
    const fromEnv = bot.token?.kind === 'env' ? env[bot.token.ref] : undefined;
    const token = fromEnv || demoToken(bot.name);
    const tokenFrom = fromEnv ? `$${bot.token!.ref}` : `demo token ${demoToken(bot.name)}`;
    if (bot.platform === 'telegram') {
      sim.telegram.addBot(token, bot.name);
      sim.telegramNames.set(bot.name, token);
      bots.push({ bot: bot.name, platform: 'telegram', tokenFrom, chat: 'private chat' });
    } else {
      sim.webex.addBot(token, bot.name);
      const room = sim.webex.directRoom(token);
      sim.webex.names.set(bot.name, { token, roomId: room.id });
      bots.push({ bot: bot.name, platform: 'webex', tokenFrom, chat: `direct room ${room.id.slice(0, 16)}...` });
    }
  }
  return { sim, bots };
}

/** The token a bot uses against the simulator when its real one is not set. */
export function demoToken(bot: string): string {
  return `sim-${bot}`;
}
