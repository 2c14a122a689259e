/** A message as a bot's handler sees it, whichever platform it came from. */
export interface IncomingMessage {
  /** The platform's message id; the runtime deduplicates by it. */
  id: string;
  /** Room (Webex) or chat (Telegram) the message came from; replies go back there. */
  roomId: string;
  /** Sender's id on the platform. */
  personId: string;
  /** Plain text, with the bot's own mention removed. */
  text: string;
  /** When the platform says it was created. */
  created: Date;
}

/** What a handler may do in answer; every call goes through the runtime's shared HTTP pool. */
export interface BotContext {
  /** Posts a reply into the room the message came from. */
  reply(text: string): Promise<void>;
  /** Facts about the running bot: name, release, dependency versions, uptime. */
  readonly info: BotInfo;
  /** Aborted when the bot is shutting down; long handlers should stop on it. */
  readonly signal: AbortSignal;
}

/** What a running bot knows about itself. */
export interface BotInfo {
  name: string;
  platform: 'webex' | 'telegram';
  release: string;
  dependencies: Record<string, string>;
  startedAt: Date;
}

/** A handler for `/command args` messages. */
export type CommandHandler = (args: string, message: IncomingMessage, ctx: BotContext) => Promise<void> | void;

/** A bot: its handlers only. Connection, retries, lock, heartbeat and logs are the runtime's job. */
export interface BotDefinition {
  /** Called for `/name ...` messages; the key is the command name without the slash. */
  commands?: Record<string, CommandHandler>;
  /** Called for every message that no command took. */
  onMessage?: (message: IncomingMessage, ctx: BotContext) => Promise<void> | void;
}

/**
 * Declares a bot module. The module's default export is what the runtime loads:
 *
 * ```ts
 * export default defineBot({ onMessage: (m, ctx) => ctx.reply(`you said: ${m.text}`) });
 * ```
 */
export function defineBot(definition: BotDefinition): BotDefinition {
  if (!definition.commands && !definition.onMessage) {
    throw new TypeError('defineBot: give at least one of commands or onMessage');
  }
  return definition;
}
