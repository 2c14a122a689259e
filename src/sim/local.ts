import type { Fleet } from '../fleet/types.js';
import { PlatformSim } from './server.js';
import { demoToken } from './tokens.js';

export interface SimBotInfo { bot: string; platform: string; tokenFrom: string; chat: string }

/**
 * The simulator for a fleet's local demo: each bot gets an identity, known by its demo token
 * (never a real one: a real token has no business on a local simulator), and a conversation
 * with the ops user.
 */
export async function startFleetSim(fleet: Fleet, port: number, host: string): Promise<{ sim: PlatformSim; bots: SimBotInfo[] }> {
  const sim = new PlatformSim();
  await sim.start(port, host);
  const bots: SimBotInfo[] = [];
  for (const bot of Object.values(fleet.bots)) {
    if (bot.kind !== 'runtime') continue;
    const token = demoToken(bot.name);
    const tokenFrom = `demo token ${token}`;
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
