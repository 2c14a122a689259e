import { RUNTIME_NODE_FLAGS } from '../runtime/events.js';
import type { Bot, Platforms, Supervisor, Vm } from '../fleet/types.js';

// Pure builders for what a bot has on a VM; paths follow DESIGN.md's layout under the VM root.

export const botDir = (vm: Pick<Vm, 'root'>, bot: string) => `${vm.root}/bots/${bot}`;
export const runtimeConfigPath = (vm: Pick<Vm, 'root'>, bot: string) => `${botDir(vm, bot)}/runtime.json`;

/** The runtime config a bot process reads (no secret in it: the token comes from the env file). */
export function runtimeConfig(vm: Pick<Vm, 'root'>, bot: Bot, release: { release: string; module: string; dependencies: Record<string, string> }, platforms: Platforms): Record<string, unknown> {
  return {
    bot: bot.name,
    platform: bot.platform,
    entry: `${botDir(vm, bot.name)}/current/${release.module}`,
    release: release.release,
    dependencies: release.dependencies,
    runDir: `${botDir(vm, bot.name)}/run`,
    logFile: `${vm.root}/logs/${bot.name}.log`,
    http: { connections: bot.http.connections, retries: bot.http.retries, timeoutMs: bot.http.timeoutMs },
    websocket: { ...bot.websocket },
    catchUp: { sweepMs: bot.catchUp.sweepIntervalMs, quietMs: bot.catchUp.quietMs },
    webex: platforms.webex,
    telegram: platforms.telegram,
  };
}

/**
 * How the agent starts the bot: node with the runtime's flags, the current release's main, its
 * config; and under which supervisor (the agent drives systemd units or pid files by this).
 */
export function launch(vm: Pick<Vm, 'root' | 'node' | 'supervisor'>, bot: string): { argv: string[]; supervisor: Supervisor } {
  return { argv: [vm.node ?? 'node', ...RUNTIME_NODE_FLAGS, `${botDir(vm, bot)}/current/runtime/main.js`, runtimeConfigPath(vm, bot)], supervisor: vm.supervisor };
}

/**
 * The bot's env file (written 0600): its token. systemd's EnvironmentFile= reads quotes,
 * backslashes and outer whitespace its own way, so a value holding them is refused, not mangled.
 */
export function envFile(token: string): string {
  if (/[\r\n\0]/.test(token)) throw new TypeError('a secret may not contain a line break or NUL');
  if (/["'\\`$]/.test(token) || token !== token.trim()) throw new TypeError('a secret may not contain quotes, backslashes, `, $ or leading/trailing spaces');
  return `BOTCTL_TOKEN=${token}\n`;
}
