import { readFileSync } from 'node:fs';
import { BotctlError } from '../errors.js';
import type { Bot } from '../fleet/types.js';
import { envFile } from './botFiles.js';

/**
 * Reads every bot's secret before anything changes: env:NAME from the operator's environment,
 * file:path from a file. All missing ones are named at once; values are never printed. With
 * `lenient`, missing ones are left out instead.
 */
export function readSecrets(bots: Bot[], env: NodeJS.ProcessEnv = process.env, opts: { lenient?: boolean } = {}): Map<string, string> {
  const out = new Map<string, string>();
  const missing: string[] = [];
  for (const bot of bots) {
    const ref = bot.token!;
    let value: string | undefined;
    if (ref.kind === 'env') value = env[ref.ref];
    else {
      try {
        value = readFileSync(ref.ref, 'utf8').replace(/\r?\n$/, '');
      } catch {
        value = undefined;
      }
    }
    if (!value) missing.push(`${bot.name} needs ${ref.kind}:${ref.ref}`);
    else {
      try {
        envFile(value);
      } catch (err) {
        // The value itself is never echoed: only which secret and what kind of character.
        throw new BotctlError('E_USAGE', `the secret ${ref.kind}:${ref.ref} of ${bot.name} cannot be written safely: ${(err as Error).message}; nothing was changed`);
      }
      out.set(bot.name, value);
    }
  }
  // A dry run reads what it can and plans around the rest.
  if (missing.length && !opts.lenient) {
    throw new BotctlError('E_USAGE', `missing secret${missing.length > 1 ? 's' : ''}: ${missing.join('; ')}; nothing was changed`, {
      hint: 'export the variable (or create the file) and run again',
    });
  }
  return out;
}
