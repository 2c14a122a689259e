import { defineBot } from '../src/runtime/index.js';

// The smallest useful bot: proves the whole path (platform -> runtime -> handler -> reply).
export default defineBot({
  onMessage: (message, ctx) => ctx.reply(`echo: ${message.text}`),
});
