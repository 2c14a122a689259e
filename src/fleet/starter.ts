import { constants } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BotctlError } from '../errors.js';
import { fleetJsonSchema } from './jsonSchema.js';
import { display } from './display.js';

export const STARTER_FLEET = `# yaml-language-server: $schema=./fleet.schema.json
#
# A fleet file for botctl: the VMs, the bots on them, and their settings.
# Check it with \`botctl config\`; reach the VMs with \`botctl doctor\`.
# Names use a-z, 0-9, "_" and "-". Durations: 250ms, 10s, 2m, 12h, 1d.

vms:
  local:
    host: local              # this machine; no SSH
    root: .botctl/local      # everything botctl writes; relative to this file for a local VM
    supervisor: process
  # lab-vm:
  #   host: lab-vm           # an ~/.ssh/config alias or a host name
  #   user: botops           # optional: ~/.ssh/config decides otherwise
  #   root: /opt/bots        # absolute on a remote VM
  #   supervisor: systemd

defaults:
  dependencies: { ws: 8.18.3, undici: 7.16.0 }   # exact versions; a bot may pin its own
  http: { connections: 50, retries: 3, timeout: 120s }
  websocket: { pingInterval: 10s, pingTimeout: 5s, maxConnectionAge: 12h }
  audit: { timeoutsPerHour: 1, reconnectionMax: 30s }

bots:
  echo:
    vm: local
    platform: webex          # or telegram
    entry: bots/echo.ts      # the bot module, relative to this file
    token: env:WEBEX_TOKEN_ECHO   # a reference (env:NAME or file:path), never the token itself
`;

export const STARTER_BOT = `import { defineBot } from 'botctl/runtime';

export default defineBot({
  onMessage: (message, ctx) => ctx.reply(\`echo: \${message.text}\`),
});
`;

/** Writes a starter fleet.yaml, its JSON Schema, and its example bot when absent; never overwrites a fleet file. */
export async function writeStarter(file: string): Promise<string[]> {
  const written: string[] = [];
  await writeNew(file, STARTER_FLEET).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EEXIST') {
      throw new BotctlError('E_USAGE', `${display(file)} already exists; nothing was written`, {
        hint: 'edit it, or pass --file with a new path',
      });
    }
    throw err;
  });
  written.push(file);
  // The schema beside the file gives editors completion without any network.
  const schema = path.join(path.dirname(file), 'fleet.schema.json');
  await writeFile(schema, `${JSON.stringify(fleetJsonSchema(), null, 2)}\n`);
  written.push(schema);
  const bot = path.join(path.dirname(file), 'bots', 'echo.ts');
  await mkdir(path.dirname(bot), { recursive: true });
  const botWritten = await writeNew(bot, STARTER_BOT).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') return false;
      throw err;
    },
  );
  if (botWritten) written.push(bot);
  return written;
}

// O_EXCL: the existence check and the write are one step, so a file appearing meanwhile is kept.
function writeNew(file: string, text: string): Promise<void> {
  return writeFile(file, text, { flag: constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY });
}
