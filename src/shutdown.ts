/**
 * Work to undo before an interrupted botctl exits (a fleet lock to release). bin/botctl's
 * SIGINT handler runs these, bounded, then exits 130.
 */
const cleanups = new Set<() => Promise<unknown>>();

export function onInterrupt(fn: () => Promise<unknown>): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

export async function runCleanups(deadlineMs = 5_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled([...cleanups].map((fn) => fn())),
    new Promise((r) => (timer = setTimeout(r, deadlineMs))),
  ]);
  clearTimeout(timer);
}
