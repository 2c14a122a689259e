import { renameSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { AgentError } from './errors.js';

/** Points `link` at `target` in one rename: there is never a moment without a link. */
export function swapSymlink(target: string, link: string): void {
  const tmp = `${link}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  symlinkSync(target, tmp);
  renameSync(tmp, link);
}

/** Resolves `p` and refuses anything outside `root`: the agent writes nowhere else. */
export function underRoot(root: string, p: string): string {
  const abs = path.resolve(root, p);
  if (abs !== root && !abs.startsWith(`${root}/`)) throw new AgentError('E_PATH', `${p} is outside the root ${root}`);
  return abs;
}

export { writeAtomic } from '../runtime/files.js';
