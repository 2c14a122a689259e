/** What a release holds, written beside it as manifest.json (not part of its id). */
export interface Manifest {
  id: string;
  dependencies: Record<string, string>;
  /** Bot entry (relative to fleet.yaml) -> bundled module inside the release. */
  bots: Record<string, string>;
  builtAt: string;
  gitSha: string | null;
}

/** A release in the local cache; `built` says whether this invocation made it. */
export interface Release { id: string; dir: string; manifest: Manifest; built: boolean }
