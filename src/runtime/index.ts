/**
 * The botctl bot runtime: the one public entry. Bots import from here and nowhere else.
 * @packageDocumentation
 */
export { defineBot } from './bot.js';
export type { BotContext, BotDefinition, BotInfo, CommandHandler, IncomingMessage } from './bot.js';
