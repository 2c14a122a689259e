import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type PathSeg = string | number;

/** Where in the YAML text a path points: the value's node, or with `atKey` the key itself. */
export function locate(doc: Document, lc: LineCounter, path: readonly PathSeg[], atKey = false): { line: number; col: number } {
  let node: unknown = doc.contents;
  let best: Node | null = (doc.contents as Node | null) ?? null;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      if (last && atKey) {
        best = pair.key as Node;
        break;
      }
      node = pair.value;
      best = (pair.value as Node | null) ?? (pair.key as Node);
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      if (!node) break;
      best = node as Node;
    } else break;
  }
  const offset = best?.range?.[0] ?? 0;
  return lc.linePos(offset);
}

/** The path of the innermost map entry whose key or value covers `offset` (for YAML-level errors). */
export function pathAt(doc: Document, offset: number): PathSeg[] {
  const path: PathSeg[] = [];
  let node: unknown = doc.contents;
  for (;;) {
    if (isMap(node)) {
      const pair = node.items.find((p) => {
        const start = (p.key as Node | null)?.range?.[0] ?? Infinity;
        const end = (p.value as Node | null)?.range?.[2] ?? (p.key as Node | null)?.range?.[2] ?? -1;
        return start <= offset && offset <= end;
      });
      if (!pair || !isScalar(pair.key)) return path;
      path.push(String(pair.key.value));
      node = pair.value;
    } else if (isSeq(node)) {
      const idx = node.items.findIndex((n) => {
        const r = (n as Node | null)?.range;
        return r != null && r[0] <= offset && offset <= r[2];
      });
      if (idx < 0) return path;
      path.push(idx);
      node = node.items[idx];
    } else return path;
  }
}

export function formatPath(path: readonly PathSeg[]): string {
  return path.length === 0 ? '(top)' : path.map(String).join('.');
}
