import type { AuditSettings, CatchUpSettings, HttpSettings, Platforms, WebsocketSettings } from './types.js';

// The incidents' fixes, as defaults: a 50-connection pool with 3 retries and 120 s timeouts (001),
// 10 s pings, 5 s pong deadline and a 12 h proactive reconnection (002), < 1 timeout per hour (000).
export const DEFAULT_DEPENDENCIES: Record<string, string> = { ws: '8.18.3', undici: '7.16.0' };
export const DEFAULT_HTTP: HttpSettings = { connections: 50, retries: 3, timeoutMs: 120_000 };
export const DEFAULT_WEBSOCKET: WebsocketSettings = { pingIntervalMs: 10_000, pingTimeoutMs: 5_000, maxConnectionAgeMs: 12 * 3_600_000 };
export const DEFAULT_AUDIT: AuditSettings = { timeoutsPerHour: 1, reconnectionMaxMs: 30_000 };
// Issue 11: a sweep every 15 s finds what a silent socket never delivered (incident 002).
export const DEFAULT_CATCHUP: CatchUpSettings = { sweepIntervalMs: 15_000, quietMs: 60_000 };
export const DEFAULT_KEEP_RELEASES = 5;
export const DEFAULT_PLATFORMS: Platforms = {
  webex: { apiBase: 'https://webexapis.com/v1', wdmBase: 'https://wdm-a.wbx2.com/wdm/api/v1' },
  telegram: { apiBase: 'https://api.telegram.org' },
};
