/**
 * The botctl bot runtime: the one public entry. Bots import `defineBot` from here; botctl starts
 * bot processes with `runBot` (through main.js) and reads the log contract in `EVENTS`.
 * @packageDocumentation
 */
export { defineBot } from './bot.js';
export type { BotContext, BotDefinition, BotInfo, CommandHandler, IncomingMessage } from './bot.js';
export { loadRuntimeConfig, runtimeConfigSchema } from './config.js';
export type { RuntimeConfig } from './config.js';
export { EVENTS, RUNTIME_EXIT, RUNTIME_NODE_FLAGS } from './events.js';
export type { EventName } from './events.js';
export { runBot } from './run.js';
