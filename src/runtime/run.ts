import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { BotDefinition, BotInfo } from './bot.js';
import type { RuntimeConfig } from './config.js';
import { Dispatcher } from './dispatcher.js';
import { RUNTIME_EXIT } from './events.js';
import { Heartbeat, type RuntimeState } from './heartbeat.js';
import { HttpClient, HttpError } from './http.js';
import { acquireLock, LockTimeoutError, type InstanceLock } from './lock.js';
import { createEventLog, type EventLog } from './log.js';
import { MessageState } from './state.js';
import type { AdapterHooks, PlatformAdapter } from './platform.js';
import { TelegramAdapter } from './telegram/adapter.js';
import { WebexApi } from './webex/api.js';
import { WebexAdapter } from './webex/adapter.js';
import { AuthRefusedError } from './webex/connection.js';

/** Versions of the runtime's own dependencies as loaded: what actually runs, not what was asked. */
export function loadedVersions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const out: Record<string, string> = {};
  for (const pkg of ['ws', 'undici']) {
    try {
      out[pkg] = (require(`${pkg}/package.json`) as { version: string }).version;
    } catch {
      // Bundled without its package.json: the release manifest says which version it is.
    }
  }
  return out;
}

/**
 * Runs one bot until SIGTERM/SIGINT: takes the instance lock, connects, handles messages, keeps
 * status.json fresh; then stops taking messages, finishes those in hand (bounded), saves its
 * cursor, releases the lock. Resolves with the process exit status (see RUNTIME_EXIT).
 */
export async function runBot(cfg: RuntimeConfig, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const token = env[cfg.tokenEnv] ?? '';
  const started = new Date();
  mkdirSync(cfg.runDir, { recursive: true });
  const log = createEventLog({
    ...(cfg.logFile && { file: cfg.logFile }),
    maxBytes: cfg.log.maxBytes,
    keep: cfg.log.keep,
    secrets: [token],
    base: { bot: cfg.bot, pid: process.pid },
  });
  const versions = loadedVersions();
  log.info('runtime.start', { platform: cfg.platform, release: cfg.release, dependencies: versions });
  const stop = new AbortController();
  const onSignal = (sig: string) => {
    if (stop.signal.aborted) return;
    log.info('runtime.stopping', { signal: sig });
    stop.abort(new Error(sig));
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));

  if (!token) return fatal(log, `no token: ${cfg.tokenEnv} is not set`);
  let lock: InstanceLock;
  try {
    lock = await acquireLock(cfg.runDir, cfg.lock.waitMs, log, stop.signal);
  } catch (err) {
    await log.flush();
    if (err instanceof LockTimeoutError) return RUNTIME_EXIT.LOCK_TIMEOUT;
    if (stop.signal.aborted) return RUNTIME_EXIT.OK;
    throw err;
  }
  let def: BotDefinition;
  try {
    def = (await import(pathToFileURL(cfg.entry).href)).default as BotDefinition;
    if (!def || (!def.commands && !def.onMessage)) throw new Error('its default export is not a defineBot({...}) result');
  } catch (err) {
    await lock.release();
    return fatal(log, `cannot load bot module ${cfg.entry}: ${(err as Error).message}`);
  }

  let state: RuntimeState = 'starting';
  /** Why a start step is being retried; cleared once ready. */
  let startError: string | null = null;
  const info: BotInfo = { name: cfg.bot, platform: cfg.platform, release: cfg.release, dependencies: versions, startedAt: started };
  // Telegram's offset is its confirmed position: a short memory of handled ids is enough there.
  const messages = new MessageState(cfg.runDir, started, cfg.platform === 'telegram' ? 2_000 : undefined);
  messages.save();
  // Requests outlive SIGTERM until the drain ends: a handler in flight must still get its reply out.
  const hardStop = new AbortController();
  const http = new HttpClient(cfg.http, log, `Bearer ${token}`, hardStop.signal);
  let adapter: PlatformAdapter | undefined;
  const dispatcher = new Dispatcher(def, messages, log, info, cfg.handler, stop.signal);
  const saver = setInterval(() => messages.save(), 250);
  const hooks: AdapterHooks = {
    onReady: () => {
      state = 'ready';
      startError = null;
      log.info('runtime.ready', { startupMs: Date.now() - started.getTime() });
      heartbeat.write();
    },
    onState: (s) => {
      if (state !== 'starting' && state !== 'stopping') state = s;
    },
    onStartError: (error) => {
      startError = error;
      heartbeat.write();
    },
  };
  adapter = createAdapter(cfg, token, http, dispatcher, messages, log, stop.signal, hooks);
  const heartbeat = new Heartbeat(
    cfg.runDir,
    () => ({
      state, pid: process.pid, bot: cfg.bot, platform: cfg.platform, release: cfg.release, dependencies: versions,
      startedAt: started.toISOString(),
      ...(startError && { startError }),
      ...adapter?.status(),
      inFlight: dispatcher.inFlight,
      counters: dispatcher.counters,
      pool: http.stats(),
      memory: memory(),
    }),
    cfg.heartbeatMs,
  );
  heartbeat.start();

  let exit: number = RUNTIME_EXIT.OK;
  try {
    await adapter.run();
  } catch (err) {
    if (!stop.signal.aborted) {
      // Adapters retry all that may heal; a refused token is what is left. Anything else is a
      // bug: exit 1, which a supervisor restarts, rather than 78, which it never does.
      const refused = err instanceof AuthRefusedError || (err instanceof HttpError && err.status === 401);
      exit = refused ? RUNTIME_EXIT.FATAL : RUNTIME_EXIT.CRASH;
      log.error('runtime.fatal', { error: refused ? `the platform refused the token (${(err as Error).message})` : err, exit });
    }
  }
  state = 'stopping';
  heartbeat.write();
  adapter.stop();
  await dispatcher.drain(cfg.shutdownGraceMs);
  hardStop.abort(new Error('stopped'));
  clearInterval(saver);
  messages.save();
  adapter.save();
  state = 'stopped';
  heartbeat.stop();
  await lock.release();
  await http.close().catch(() => undefined);
  log.info('runtime.stopped', { exit, handled: dispatcher.counters.handled });
  await log.flush();
  return exit;
}

function createAdapter(
  cfg: RuntimeConfig, token: string, http: HttpClient, dispatcher: Dispatcher, messages: MessageState, log: EventLog, signal: AbortSignal, hooks: AdapterHooks,
): PlatformAdapter {
  if (cfg.platform === 'telegram') {
    return new TelegramAdapter(http, token, { ...cfg.telegram, backoffBaseMs: cfg.http.backoffBaseMs, backoffMaxMs: cfg.http.backoffMaxMs }, dispatcher, messages, cfg.runDir, log, signal, hooks);
  }
  const options = {
    ...cfg.websocket,
    quietMs: cfg.catchUp.quietMs,
    sweepMs: cfg.catchUp.sweepMs,
    graceMs: cfg.catchUp.graceMs,
    catchUpRooms: cfg.catchUp.rooms,
    pageSize: cfg.catchUp.pageSize,
    deviceName: cfg.webex.deviceName ?? `botctl-${cfg.bot}`,
  };
  return new WebexAdapter(new WebexApi(http, cfg.webex.apiBase, cfg.webex.wdmBase), token, options, dispatcher, messages, log, signal, hooks);
}

function memory(): Record<string, number> {
  const m = process.memoryUsage();
  const mb = (n: number) => Math.round((n / 1_048_576) * 10) / 10;
  return { rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), heapTotalMb: mb(m.heapTotal), externalMb: mb(m.external) };
}

async function fatal(log: EventLog, error: string): Promise<number> {
  log.error('runtime.fatal', { error });
  await log.flush();
  return RUNTIME_EXIT.FATAL;
}
