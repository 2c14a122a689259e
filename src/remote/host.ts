export interface RunOptions {
  /** Written to the command's standard input, which is then closed. */
  stdin?: string | Buffer;
  /** Kill the command and fail with E_TIMEOUT after this long. */
  timeoutMs?: number;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
}

export interface RunResult {
  /** Exit status; null when the command died of a signal. */
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/**
 * Where commands run: this machine (local) or a VM over one reused SSH connection. The only
 * thing in botctl that executes anything; everything else builds argv arrays and hands them here.
 */
export interface Host {
  /** The VM's name in fleet.yaml. */
  readonly name: string;
  /** A short description for messages: "local" or "botops@10.0.0.5:22". */
  readonly describe: string;
  /** Runs argv (never a shell string); a non-zero exit is a result, not an error. */
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Copies a local file or directory (recursively) to a path on the host. */
  put(localPath: string, remotePath: string): Promise<void>;
  close(): Promise<void>;
}
