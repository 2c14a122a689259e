/** Every failure a user can see has one of these codes; the code decides the exit status. */
export type ErrorCode =
  | 'E_USAGE'
  | 'E_CONFIG'
  | 'E_CHECK'
  | 'E_UNREACHABLE'
  | 'E_AUTH'
  | 'E_HOSTKEY_UNKNOWN'
  | 'E_HOSTKEY_CHANGED'
  | 'E_TIMEOUT'
  | 'E_REMOTE'
  | 'E_HEALTH'
  | 'E_LOCK_HELD'
  | 'E_INTERRUPTED'
  | 'E_INTERNAL';

/** Exit statuses are a contract with scripts; the README documents this table. */
export const EXIT_CODES: Record<ErrorCode, number> = {
  E_CHECK: 1,
  E_USAGE: 2,
  E_CONFIG: 2,
  E_UNREACHABLE: 3,
  E_AUTH: 3,
  E_HOSTKEY_UNKNOWN: 3,
  E_HOSTKEY_CHANGED: 3,
  E_TIMEOUT: 3,
  E_REMOTE: 3,
  E_HEALTH: 3,
  E_LOCK_HELD: 4,
  E_INTERRUPTED: 130,
  E_INTERNAL: 70,
};

export interface ErrorOptions {
  hint?: string;
  /** Lines printed before the error line (e.g. one per fleet.yaml problem). */
  details?: string[];
  cause?: unknown;
}

/** The one error type commands raise; bin/botctl is the one place that prints it. */
export class BotctlError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly details: string[];

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BotctlError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? [];
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

export function isBotctlError(err: unknown): err is BotctlError {
  return err instanceof BotctlError;
}
