import path from 'node:path';

/** A path as the user would type it: relative to the working directory when under it. */
export function display(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}
