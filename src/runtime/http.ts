import { Agent, request } from 'undici';
import type { EventLog } from './log.js';
import { backoff, retryAfterMs, sleep } from './retry.js';

export interface HttpOptions {
  connections: number;
  retries: number;
  timeoutMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

/** A request that failed for good. `uncertain`: it may have taken effect (a POST that timed out). */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(message: string, readonly status?: number, readonly uncertain = false, readonly body?: string) {
    super(message);
  }
}

export interface RequestOptions {
  body?: unknown;
  /** Safe to repeat after an ambiguous failure; GETs are, POSTs are not. */
  idempotent?: boolean;
  /** This request's deadline, when it must differ from the pool's (a long poll). */
  timeoutMs?: number;
  /** Aborts this request alone (a long poll at shutdown). */
  signal?: AbortSignal;
}

// Errors raised before the request could reach the server: repeating them is always safe.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);
const NETWORK = new Set([...NOT_SENT, 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ETIMEDOUT']);
const RETRY_AFTER_CAP_MS = 300_000;

/** The process's one HTTP pool (undici Agent), with deadlines and retries the runtime can trust. */
export class HttpClient {
  readonly agent: Agent;

  constructor(
    private readonly opts: HttpOptions,
    private readonly log: EventLog,
    private readonly authorization: string,
    private readonly signal: AbortSignal,
  ) {
    this.agent = new Agent({ connections: opts.connections, keepAliveTimeout: 30_000 });
  }

  /**
   * One request with the pool's deadline and retries; a JSON answer. `date` is the server's
   * clock (its Date header, to the second) when it sent one.
   */
  async json<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, options: RequestOptions = {}): Promise<{ status: number; body: T; link?: string; date?: number }> {
    const idempotent = options.idempotent ?? method === 'GET';
    const timeoutMs = options.timeoutMs ?? this.opts.timeoutMs;
    // Telegram puts the token in the path: log the method name, never the path itself.
    const path = redactPath(new URL(url).pathname);
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= this.opts.retries;
      let reason: string;
      let waitMs: number | undefined;
      try {
        const res = await request(url, {
          dispatcher: this.agent,
          method,
          headers: { authorization: this.authorization, ...(options.body !== undefined && { 'content-type': 'application/json' }) },
          ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
          signal: AbortSignal.any([this.signal, AbortSignal.timeout(timeoutMs), ...(options.signal ? [options.signal] : [])]),
        });
        const text = await res.body.text();
        if (res.statusCode < 400) {
          const link = res.headers.link;
          const date = typeof res.headers.date === 'string' ? Date.parse(res.headers.date) : Number.NaN;
          return { status: res.statusCode, body: (text ? JSON.parse(text) : {}) as T, ...(typeof link === 'string' && { link }), ...(!Number.isNaN(date) && { date }) };
        }
        const retryable = res.statusCode === 429 || res.statusCode === 503 || (idempotent && res.statusCode >= 500);
        if (!retryable || last) {
          const uncertain = !idempotent && res.statusCode >= 500 && res.statusCode !== 503;
          this.log.warn('http.failed', { method, path, status: res.statusCode, attempts: attempt + 1 });
          throw new HttpError(`${method} ${path}: ${res.statusCode} ${text.slice(0, 200)}`, res.statusCode, uncertain, text);
        }
        reason = String(res.statusCode);
        waitMs = retryAfterMs(res.headers['retry-after']) ?? retryAfterInBody(text);
      } catch (err) {
        if (err instanceof HttpError) throw err;
        if (this.signal.aborted || options.signal?.aborted) throw err;
        const code = (err as { code?: string; cause?: { code?: string } }).cause?.code ?? (err as { code?: string }).code ?? '';
        const timedOut = (err as Error).name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
        if (timedOut) this.log.warn('http.timeout', { method, path, timeoutMs, attempt: attempt + 1 });
        const safe = idempotent || NOT_SENT.has(code);
        if (!(timedOut || NETWORK.has(code)) || !safe || last) {
          this.log.warn('http.failed', { method, path, error: code || (err as Error).message, attempts: attempt + 1 });
          throw new HttpError(`${method} ${path}: ${timedOut ? `no answer within ${timeoutMs} ms` : code || (err as Error).message}`, undefined, !safe);
        }
        reason = timedOut ? 'timeout' : code;
      }
      const wait = Math.min(waitMs ?? backoff(attempt, this.opts.backoffBaseMs, this.opts.backoffMaxMs), RETRY_AFTER_CAP_MS);
      this.log.warn('http.retry', { method, path, attempt: attempt + 1, reason, waitMs: wait, retryAfter: waitMs !== undefined });
      await sleep(wait, this.signal);
    }
  }

  /** Pool figures for the heartbeat, summed over origins. */
  stats(): { connected: number; free: number; pending: number; running: number; size: number } {
    const out = { connected: 0, free: 0, pending: 0, running: 0, size: 0 };
    for (const s of Object.values(this.agent.stats) as Partial<typeof out>[]) {
      for (const k of Object.keys(out) as (keyof typeof out)[]) out[k] += s[k] ?? 0;
    }
    return out;
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/** Telegram answers 429 with `{"parameters":{"retry_after":N}}` in the body and no header. */
function retryAfterInBody(text: string): number | undefined {
  try {
    const s = (JSON.parse(text) as { parameters?: { retry_after?: unknown } }).parameters?.retry_after;
    return typeof s === 'number' ? s * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** `/bot123:SECRET/getUpdates` -> `/bot[REDACTED]/getUpdates`. */
function redactPath(p: string): string {
  return p.replace(/^\/bot[^/]+/, '/bot[REDACTED]');
}
