/**
 * The log contract: every event the runtime writes, one JSON line each with a stable `event`
 * field. Audits read these names; a test proves the runtime emits exactly this set.
 */
export const EVENTS = {
  'runtime.start': 'process started: bot, pid, release, dependency versions',
  'runtime.ready': 'connected and caught up; handling messages',
  'runtime.stopping': 'SIGTERM/SIGINT received; no new messages, finishing in-flight handlers',
  'runtime.stopped': 'state saved, lock released; exiting',
  'runtime.fatal': 'an error retrying cannot fix (bad token, bad config); the process exits',
  'lock.acquired': 'this process is the one instance of the bot',
  'lock.waiting': 'another live instance holds the lock; waiting (bounded)',
  'lock.timeout': 'the lock stayed held for the whole wait; exiting with the lock-timeout code',
  'http.retry': 'a request failed transiently (network, timeout, 429, 5xx) and will be retried after waitMs',
  'http.timeout': 'a request got no answer within its timeout',
  'http.failed': 'a request failed for good (retries exhausted or not retryable)',
  'ws.connecting': 'opening a WebSocket',
  'ws.connected': 'WebSocket open and authorized',
  'ws.closed': 'a WebSocket ended (code, reason, or why it was terminated)',
  'ws.pong_timeout': 'no pong within pingTimeout: the connection is dead and was terminated',
  'ws.reconnect_scheduled': 'reconnecting after a backoff with jitter',
  'ws.reconnected': 'a reconnection finished; durationMs since the old connection ended',
  'ws.proactive_reconnect': 'maxConnectionAge reached: opening a new connection before closing the old',
  'ws.stale': 'a sweep or quiet catch-up found messages created while the socket was open, older than the grace period, that it never delivered; replacing it (missed, oldestMissedAgeMs, lastSocketEventAgeMs)',
  'device.found': 'reusing this bot\'s registered device',
  'device.registered': 'registered a new device (none existed by this name)',
  'device.removed': 'a device an earlier runtime of this bot left was removed: the device service refused a new registration',
  'start.retry': 'a start step (people/me, device, getMe, ...) failed in a way that may heal (network, 5xx, timeout); retrying after waitMs, the heartbeat says starting with the error',
  'catchup.start': 'listing what arrived since the confirmed position (reason: start, reconnect, quiet, retry)',
  'catchup.done': 'a pass over REST finished: rooms listed, messages found (each one the socket did not deliver), whether it was complete; a sweep logs only when it found some',
  'catchup.failed': 'a pass over REST could not finish; it will run again',
  'cursor.confirmed': 'a complete pass confirmed every message up to `confirmed` handled (at most once a minute); lagMs behind the server clock, kept handled ids',
  'message.received': 'a new message to handle (source: socket or catchup)',
  'message.duplicate': 'a message already handled was seen again and skipped',
  'message.handled': 'the handler finished; durationMs',
  'handler.error': 'the handler (or its reply) failed; retried after a backoff, the message kept in hand',
  'handler.timeout': 'the handler is past its deadline; it blocks nothing and its outcome still counts (abandoned after 10 deadlines)',
  'handler.gave_up': 'a message failed every attempt and is dropped',
  'reply.sent': 'a reply was posted',
  'reply.uncertain': 'a reply request timed out: it may have been posted, so it is not repeated',
  'conflict': 'Telegram answered 409: another client polls with this token; waiting with the lock kept, the backoff growing while conflicts recur within the window (attempt, waitMs, recurring)',
  'poll.retry': 'getUpdates failed (network, 5xx, 429s past the retries); polling again after waitMs',
} as const;

/** One of the contract's event names. */
export type EventName = keyof typeof EVENTS;

/** Exit statuses of a bot process; a supervisor must not respawn-loop on LOCK_TIMEOUT. */
export const RUNTIME_EXIT = {
  /** Stopped on request. */
  OK: 0,
  /**
   * An error retrying cannot fix (a refused token, a broken bot module): EX_CONFIG. Distinct
   * from 1, node's own exit status for a crash, which a supervisor should restart.
   */
  FATAL: 78,
  /** The runtime configuration is invalid. */
  CONFIG: 2,
  /** A bug in the runtime: node's own crash status, which a supervisor restarts. */
  CRASH: 1,
  /** Another instance held the lock for the whole wait (EX_TEMPFAIL). */
  LOCK_TIMEOUT: 75,
} as const;

/**
 * Node flags a bot process starts with (before main.js). A bot is I/O-bound and long-lived, so
 * the flags trade a little peak throughput for a smaller, steadier footprint.
 */
export const RUNTIME_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--v8-pool-size=1', '--optimize-for-size'];
