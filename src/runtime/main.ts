#!/usr/bin/env node
// A bot process: `node main.js <runtime-config.json>`. The CLI writes the config; the token comes
// from the environment (the bot's 0600 env file), never from the config.
import { loadRuntimeConfig } from './config.js';
import { RUNTIME_EXIT } from './events.js';
import { runBot } from './run.js';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: main.js <runtime-config.json>\n');
  process.exit(RUNTIME_EXIT.CONFIG);
}
let config;
try {
  config = loadRuntimeConfig(file);
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(RUNTIME_EXIT.CONFIG);
}
runBot(config).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(RUNTIME_EXIT.FATAL);
  },
);
