/** What runBot needs of a platform adapter (Webex over a WebSocket, Telegram by long polling). */
export interface PlatformAdapter {
  /** Runs until the stop signal aborts; throws only what retrying cannot fix (a refused token). */
  run(): Promise<void>;
  /** Stops taking messages from the platform (bounded); in-flight handlers are not touched. */
  stop(): void;
  /** Platform figures for status.json. */
  status(): Record<string, unknown>;
  /** Writes what must survive a restart (called again after the drain at shutdown). */
  save(): void;
}

/** Callbacks from an adapter to the process around it. */
export interface AdapterHooks {
  onReady(): void;
  onState(state: 'ready' | 'reconnecting'): void;
  /** A start step failed and will be retried: the heartbeat shows why the bot is still starting. */
  onStartError(error: string): void;
}
