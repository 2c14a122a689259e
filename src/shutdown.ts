/**
 * Work to undo before an interrupted botctl exits (a fleet lock to release, a simulator to
 * stop). bin/botctl's SIGINT handler runs these, bounded, then exits 130. A cleanup may return
 * a note for the user ("left running: ..."), printed on the one line that says it was interrupted.
 */
const cleanups = new Set<() => Promise<unknown>>();

export function onInterrupt(fn: () => Promise<unknown>): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/** Runs every cleanup, bounded; returns their notes. */
export async function runCleanups(deadlineMs = 5_000): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const all = Promise.allSettled([...cleanups].map((fn) => fn()));
  await Promise.race([all, new Promise((r) => (timer = setTimeout(r, deadlineMs)))]);
  clearTimeout(timer);
  const settled = await Promise.race([all, Promise.resolve(null)]);
  return (settled ?? []).flatMap((r) => (r.status === 'fulfilled' && typeof r.value === 'string' ? [r.value] : []));
}
